"""The API is what its OpenAPI document says: schemathesis drives every operation of ``/api/v1/openapi.json``
in-process (WSGI) as a manager and as an admin, with data that fits the schemas and data that does not, on seeded
objects (a quiz, attempts, a certificate, inbox messages) and on generated ids, and checks each answer: never a
server error, a documented status, the documented content type, headers and body schema, and schema-invalid
requests refused.

Runs on both databases: how a database refuses a number it cannot hold differs (an OverflowError in SQLite's driver,
NumericValueOutOfRange in PostgreSQL's), and those are exactly the 500s this guards against. Bounded by examples per
operation (derandomized, so a run is reproducible): about 20-40 s a database on two cores.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lms.extensions import db
from tests.support.attempts import graded_attempt
from tests.support.lessons import lesson_text
from tests.support.quiz_files import MONTHLY, PRACTICE, sync, write_quiz
from tests.support.quizzes import after_close
from tests.support.tokens import bearer_headers, issue_token

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, negative_data_rejection]
EXAMPLES = 12  # per operation, identity, mode and id source: ~1,500 cases in all
# Served outside /api/v1 (the certificate PDF keeps the address the attempt state gives): tested by
# tests/certificates/test_api_download.py.
OUTSIDE = ("/certificates/{code}.pdf",)


def _seed(app: Any, make_user: Any, runner: Any) -> dict[str, dict[str, Any]]:
    """A manager with a running practice attempt, a finished one with a certificate, and inbox messages; an admin."""
    from lms.announcements import services as announcements
    from lms.announcements.queries import inbox
    from lms.assessment import services as assessment
    from lms.certificates import services as certificates
    from lms.quizzes import services as quizzes

    manager, admin = make_user("manager"), make_user("admin")
    lesson = Path(app.config["LMS_CONTENT_DIR"]) / "policy" / "handsets.md"
    lesson.parent.mkdir(parents=True, exist_ok=True)
    lesson.write_text(lesson_text(title="终端政策", period="2026-11", tags="[终端, 补贴]"), encoding="utf-8")
    write_quiz(app, "practice", PRACTICE)
    sync(app)
    client = app.test_client()
    headers = bearer_headers(runner, manager, "conformance")
    running = client.post("/api/v1/quizzes/practice/attempts", headers=headers).json["id"]

    write_quiz(app, "monthly", MONTHLY)  # closed by now: its attempt is written as the close would leave it
    sync(app)
    quiz = quizzes.get_quiz("monthly")
    finished_at = datetime(2026, 11, 5, 2, 30, tzinfo=UTC)
    attempts = {person: graded_attempt(person, quiz, score=score, finished_at=finished_at)
                for person, score in ((manager, 92.0), (make_user("manager"), 50.0))}
    db.session.add_all(attempts.values())
    db.session.commit()
    attempt = attempts[manager]
    assessment.close_month("2026-11", now=after_close("2026-11"))  # results, ledger entries (the fail)
    certificate = certificates.issue_for_attempt(attempt, now=finished_at)
    assert certificate is not None

    for number, requires_ack in ((1, True), (2, False)):
        announcements.publish_announcement(admin, announcements.AnnouncementDraft(
            title=f"通知 {number}", body="**请**按时完成本月学习。", requires_ack=requires_ack))
    messages = [item.id for item in inbox(manager).items]
    return {
        "manager": {"token": headers["Authorization"][7:], "attempt_id": running, "finished_id": attempt.id,
                    "code": certificate.code, "message_id": messages[0]},
        "admin": {"token": issue_token(runner, admin, "conformance")},
    }


def _pinned(operation: Any, objects: dict[str, Any]) -> dict[str, Any] | None:
    """The operation's path parameters filled with real objects of the caller, when it has any to fill."""
    names = {p.name for p in operation.path_parameters}
    values = {"attempt_id": objects.get("attempt_id"), "message_id": objects.get("message_id"),
              "code": objects.get("code"), "period": "2026-11", "question_id": "q1",
              "slug": "handsets" if operation.path.startswith("/lessons") else "practice"}
    if not names or any(values.get(name) is None for name in names):
        return None
    return {name: values[name] for name in names}


def _run(strategy: Any, *, headers: dict[str, str], label: str, counts: Counter[str], failures: list[str]) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case: Any) -> None:
        counts["cases"] += 1
        response = case.call(headers=headers)
        counts[f"status {response.status_code}"] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (AssertionError, FailureGroup) as exc:  # collected, so one run reports every mismatch
            mode = case.meta.generation.mode.value if case.meta else ""
            failures.append(f"{label} ({mode}) → {response.status_code}: {str(exc)[:800]}")

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (an operation without parameters or body)
        counts["runs without invalid data"] += 1


def test_the_api_matches_its_openapi_document(app, make_user, runner, capsys):
    started = time.monotonic()
    identities = _seed(app, make_user, runner)
    db.session.commit()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a server error is an answer to check (a 500), not a test crash

    def isolated(environ: dict[str, Any], start_response: Any) -> Any:
        with app.app_context():  # each request its own context and database session, as in production
            return app.wsgi_app(environ, start_response)

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated)
    counts: Counter[str] = Counter()
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if op.path not in OUTSIDE]

    for operation in operations:
        counts["operations"] += 1
        for role, objects in identities.items():
            headers = {"Authorization": f"Bearer {objects['token']}"}
            pinned = _pinned(operation, objects)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                for path_parameters in ([None, pinned] if pinned else [None]):
                    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

                    _run(strategy, headers=headers, label=f"{role} {operation.label}", counts=counts,
                         failures=failures)
    seconds = time.monotonic() - started
    summary = (f"schemathesis ({db.engine.dialect.name}): {counts['operations']} operations, {counts['cases']} "
               f"cases, {len(failures)} failures in {seconds:.0f} s; "
               + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()) if k.startswith("status")))
    with capsys.disabled():
        print("\n" + summary)
    assert not failures, summary + "\n\n" + "\n\n".join(failures[:40])
