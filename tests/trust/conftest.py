"""Shared fixtures for the proof-of-trust tests: real gunicorn servers on this test's database, a quiz.js-like HTTP
client that retries until the server acknowledges, quiz files with many questions, and the figures report.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select

from lms.attempts.models import AttemptAnswer, AttemptEvent
from lms.extensions import db
from tests.support.servers import AppServer

LETTERS = "ABCD"


# --- quizzes ---------------------------------------------------------------------------------------------------------

def correct_letter(index: int) -> str:
    """The key of question ``q{index}`` in :func:`practice_yaml` (spread over A–D so guessing is not a pattern)."""
    return LETTERS[index % 4]


def practice_yaml(questions: int, *, time_limit_seconds: int = 1800) -> str:
    """A practice quiz of ``questions`` single-choice questions ``q1 … qN``, unlimited attempts, fixed order."""
    lines = ["title: 可靠性测试练习", "kind: practice", f"time_limit_seconds: {time_limit_seconds}",
             "shuffle_questions: false", "shuffle_options: false", "questions:"]
    for index in range(1, questions + 1):
        lines += [f"  - id: q{index}", "    type: single", f"    stem: 第{index}题：哪一项正确？",
                  f"    options: [选项甲{index}, 选项乙{index}, 选项丙{index}, 选项丁{index}]",
                  f"    answer: {correct_letter(index)}", "    points: 1"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def make_practice(make_quiz: Callable[..., Any]) -> Callable[..., Any]:
    """``make_practice("slug", questions=30, time_limit_seconds=1800)`` → the synced Quiz."""

    def make(slug: str, *, questions: int = 10, time_limit_seconds: int = 1800) -> Any:
        return make_quiz(slug, practice_yaml(questions, time_limit_seconds=time_limit_seconds))

    return make


@pytest.fixture
def make_managers(make_user: Callable[..., Any]) -> Callable[[int], list[tuple[Any, str]]]:
    """``make_managers(n)`` → n channel managers, each with an API token: [(user, token), …]."""
    from lms.accounts.services import create_token

    def make(count: int) -> list[tuple[Any, str]]:
        made = []
        for _ in range(count):
            user = make_user("manager")
            made.append((user, create_token(user.employee_no, "trust test")))
        return made

    return make


# --- real servers ----------------------------------------------------------------------------------------------------

def server_env(app: Flask) -> dict[str, str]:
    """What a server process needs to serve this test's data: its quiz and content folders and its grace."""
    return {"LMS_QUIZZES_DIR": app.config["LMS_QUIZZES_DIR"], "LMS_CONTENT_DIR": app.config["LMS_CONTENT_DIR"],
            "LMS_GRACE_SECONDS": str(app.config["LMS_GRACE_SECONDS"]),
            "LMS_RATELIMIT_STORAGE_URI": "memory://"}


@pytest.fixture
def serve(app: Flask) -> Iterator[Callable[..., AppServer]]:
    """``serve(workers=2)`` → a started gunicorn on this test's database; stopped (or killed) at teardown."""
    started: list[AppServer] = []

    def start(workers: int = 2) -> AppServer:
        db.session.commit()  # what the test set up must be visible to the server
        server = AppServer(app.config["SQLALCHEMY_DATABASE_URI"], env=server_env(app), workers=workers)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


# --- an HTTP client that behaves like the quiz page ------------------------------------------------------------------

NETWORK_ERRORS = (OSError, http.client.HTTPException)


@dataclass
class Reply:
    status: int
    body: Any


@dataclass
class PageClient:
    """Bearer-token JSON client; ``acknowledged`` retries a request until the server answers, as quiz.js does.

    A lost request or a lost response looks the same to a phone (the connection just fails), so the client cannot
    know whether the server acted; it sends the same request again. ``retries`` counts those repeats.
    """

    base_url: str
    token: str
    timeout: float = 15.0
    retry_pause: float = 0.02  # quiz.js waits 3 s; compressed in time
    give_up_after: float = 45.0
    retries: int = 0
    server_errors: list[Reply] = field(default_factory=list)

    def send(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
        parts = urlsplit(self.base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
        try:
            payload = None if body is None else json.dumps(body).encode()
            connection.request(method, f"/api/v1{path}", body=payload, headers={
                "Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                "Accept": "application/json", **(headers or {})})
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        reply = Reply(response.status, json.loads(raw) if raw else None)
        if reply.status >= 500:
            self.server_errors.append(reply)
        return reply

    def acknowledged(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
        give_up = time.monotonic() + self.give_up_after
        while True:
            try:
                reply = self.send(method, path, body, headers)
            except NETWORK_ERRORS:
                reply = None
            if reply is not None and reply.status < 500:
                return reply
            if time.monotonic() > give_up:
                raise AssertionError(f"{method} {path} never acknowledged")
            self.retries += 1
            time.sleep(self.retry_pause)


# --- figures ---------------------------------------------------------------------------------------------------------

@pytest.fixture
def record_figures(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    """``record_figures("crash", {...})`` writes the figures to ``trust-figures.json`` in the pytest temp folder,
    prints them (seen with ``-s``) and returns what the file now says, for the test to assert on."""
    path: Path = tmp_path_factory.getbasetemp() / "trust-figures.json"

    def record(name: str, figures: dict[str, Any]) -> dict[str, Any]:
        everything = json.loads(path.read_text()) if path.exists() else {}
        everything[name] = figures
        path.write_text(json.dumps(everything, indent=2, sort_keys=True))
        print(f"\n[trust figures] {name}: {json.dumps(figures, sort_keys=True)}")
        return dict(json.loads(path.read_text())[name])

    return record


@dataclass
class QuizSession:
    """One person's test as quiz.js runs it: every change gets the next sequence number and is sent, in order, until
    acknowledged; a resumed page continues from the server's highest sequence number; the submit carries every
    answer again. ``acknowledged`` is what the person was told is saved: the figure that must never be lost."""

    client: PageClient
    slug: str
    attempt_id: int | None = None
    seq: int = 0
    answers: dict[str, list[str]] = field(default_factory=dict)
    acknowledged: dict[str, list[str]] = field(default_factory=dict)
    saves: int = 0
    result: dict[str, Any] | None = None

    def start(self) -> Reply:
        reply = self.client.acknowledged("POST", f"/quizzes/{self.slug}/attempts")
        assert reply.status in (200, 201), reply
        if reply.body["id"] != self.attempt_id:
            self.attempt_id, self.answers, self.acknowledged, self.result = reply.body["id"], {}, {}, None
        self.resume(reply.body)
        return reply

    def resume(self, state: dict[str, Any]) -> None:
        """What the page does after a reload: the server's saved answers and sequence numbers win."""
        self.seq = max([self.seq, *(a["seq"] or 0 for a in state["answers"].values())])
        for qid, saved in state["answers"].items():
            self.answers[qid] = self.acknowledged[qid] = list(saved["choices"])

    def reload(self) -> dict[str, Any]:
        reply = self.client.acknowledged("GET", f"/attempts/{self.attempt_id}")
        assert reply.status == 200, reply
        return dict(reply.body)

    def change(self, qid: str, choices: list[str]) -> Reply:
        self.seq += 1
        self.answers[qid] = choices
        reply = self.client.acknowledged("PUT", f"/attempts/{self.attempt_id}/answers/{qid}",
                                         {"choices": choices, "seq": self.seq})
        if reply.status == 200:
            self.acknowledged[qid] = choices
            self.saves += 1
        return reply

    def submit(self) -> Reply:
        answers = {qid: {"choices": choices, "seq": self.seq} for qid, choices in self.answers.items()}
        reply = self.client.acknowledged("POST", f"/attempts/{self.attempt_id}/submit",
                                         {"answers": answers, "reason": "submit"})
        if reply.status == 200:
            self.result = reply.body
            self.acknowledged = dict(self.answers)
        return reply


def stored_answers(attempt_ids: list[int]) -> dict[tuple[int, str], list[str]]:
    """(attempt id, question id) → stored choices, read fresh from the database."""
    db.session.expire_all()
    rows = db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id.in_(attempt_ids)))
    return {(row.attempt_id, row.question_id): list(row.choices or []) for row in rows}


def grading_counts(attempt_ids: list[int]) -> dict[int, int]:
    """Attempt id → how many times it was graded (its 'submitted' or 'expired' events)."""
    counts = db.session.execute(select(AttemptEvent.attempt_id, func.count()).where(
        AttemptEvent.attempt_id.in_(attempt_ids), AttemptEvent.kind.in_(("submitted", "expired")))
        .group_by(AttemptEvent.attempt_id)).all()
    return dict(counts)  # type: ignore[arg-type]
