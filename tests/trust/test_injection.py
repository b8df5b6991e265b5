"""Injection: script vectors (tests/fixtures/xss_vectors.txt, 149 of them) through question stems, options and
explanations (quiz file → player JSON → result and wrong-answer pages), through names in a roster import (→ the
supervisors' pages, the notice PDF, certificates), spreadsheet formulas through names (→ every xlsx/csv export),
SQL through every parameter of the JSON API, and the CSP header on every route.

Lessons are proved in tests/courses/test_xss.py and announcements in tests/announcements; the checker and the
corpus are theirs, reused here.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
import yaml
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.assessment import services as assessment
from lms.assessment.models import Notice
from lms.certificates.models import Certificate
from lms.core.security import CSP
from lms.extensions import db
from tests.core.test_route_matrix import build_url
from tests.courses.test_xss import VECTORS, dangers
from tests.support.quiz_files import sync, write_quiz
from tests.support.quizzes import after_close
from tests.support.web import api_headers, csrf_token, post_form

PERIOD = "2026-10"
FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"点击\")", "=1+1", "+1+1", "-2+3", "@SUM(A1:A2)",
            "=cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


# --- questions: stems, options, explanations --------------------------------------------------------------------------


def hostile_quiz(vectors: list[str] = VECTORS) -> str:
    questions = []
    for number, vector in enumerate(vectors):
        other = vectors[(number + 1) % len(vectors)]
        questions.append({"id": f"q{number}", "type": "single", "stem": f"题{number}：{vector}",
                          "options": [f"甲 {vector}", f"乙 {other}", "丙", "丁"], "answer": "C", "points": 1,
                          "explanation": f"解析：{vector}"})
    return yaml.safe_dump({"title": "注入测试 <script>alert('title')</script>", "kind": "practice",
                           "time_limit_minutes": 30, "shuffle_questions": False, "shuffle_options": False,
                           "questions": questions}, allow_unicode=True, sort_keys=False)


def new_dangers(html: str, baseline: str) -> list[str]:
    """What could run script in ``html`` that the same page with plain text does not have (our own chrome: the
    player's script file, charts as inline SVG, form selects …)."""
    return list((Counter(dangers(html)) - Counter(dangers(baseline))).elements())


def answer_all_wrong(client: Any, slug: str) -> tuple[dict[str, Any], dict[str, Any]]:
    headers = api_headers(client)
    started = client.post(f"/api/v1/quizzes/{slug}/attempts", headers=headers)
    assert started.status_code == 201, started.get_data(as_text=True)
    paper = started.get_json()
    # wrong on purpose (A), so every question reaches the wrong-answer book with its explanation
    for question in paper["questions"]:
        saved = client.put(f"/api/v1/attempts/{paper['id']}/answers/{question['id']}", headers=headers,
                           json={"choices": [question["options"][0]["id"]]})
        assert saved.status_code == 200
    assert client.post(f"/api/v1/attempts/{paper['id']}/submit", headers=headers, json={}).status_code == 200
    pages = {"player": f"/quizzes/{slug}/take", "quiz": f"/quizzes/{slug}", "result": f"/attempts/{paper['id']}",
             "wrong answers": "/wrong-answers", "quizzes": "/quizzes"}
    return paper, {name: client.get(url).get_data(as_text=True) for name, url in pages.items()}


def test_no_vector_survives_in_questions_options_or_explanations(app, client, auth, make_user):
    write_quiz(app, "xss-quiz", hostile_quiz())
    write_quiz(app, "plain-quiz", hostile_quiz([f"普通文本{n}" for n in range(len(VECTORS))]))
    sync(app)
    auth.login(make_user("manager"))
    _plain, baseline = answer_all_wrong(client, "plain-quiz")
    auth.logout()
    auth.login(make_user("manager"))
    paper, pages = answer_all_wrong(client, "xss-quiz")
    assert len(paper["questions"]) == len(VECTORS)
    problems = []
    for question in paper["questions"]:
        for fragment in [question["stem_html"], *(o["html"] for o in question["options"])]:
            problems += [f"{question['id']} JSON: {d}" for d in dangers(fragment)]
    for name, html in pages.items():
        problems += [f"{name} page: {d}" for d in new_dangers(html, baseline[name])]
    assert not problems, "\n".join(problems[:30])
    result = pages["result"]
    assert "解析：" in result, "explanations were not shown: the test would prove nothing about them"
    assert "&lt;script&gt;" in result, "vectors are expected to be shown as text"
    assert "题148" in pages["wrong answers"]


# --- names from a roster: pages, exports, the notice PDF, certificates -----------------------------------------------


@pytest.fixture
def hostile_county(runner, tmp_path, monthly_quiz, take, make_user):
    """A county whose roster names are script vectors and spreadsheet formulas, imported through the command,
    with a closed month: the odd people fail (criticism in the notice), the even pass (certificates)."""
    names = [v.strip() for v in VECTORS if len(v.strip()) <= 50 and "\n" not in v][:90] + FORMULAS
    roster = tmp_path / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["employee_no", "name", "role", "county", "grid", "phone"])
        for number, name in enumerate(names):
            writer.writerow([f"X{number:04d}", name, "manager", "注入县", "注入网格", ""])
            writer.writerow([f"P{number:04d}", f"普通{number}", "manager", "普通县", "普通网格", ""])
    result = runner.invoke(args=["users", "import", str(roster)])
    assert result.exit_code == 0, result.output

    def county(prefix: str) -> list[User]:
        return list(db.session.scalars(select(User).where(User.employee_no.like(f"{prefix}%"))
                                       .order_by(User.employee_no)))

    people, plain = county("X"), county("P")
    assert [p.name for p in people] == [n.strip() for n in names], "names were changed beyond trimming"
    for person in people + plain:
        person.joined_at = after_close("2020-01")
    db.session.commit()
    take(monthly_quiz(PERIOD), {p: (50 if i % 2 else 90) for group in (people, plain) for i, p in enumerate(group)})
    assessment.close_month(PERIOD, now=after_close(PERIOD))
    return {"people": people, "supervisor": make_user("supervisor", county="注入县", grid=None),
            "county_id": people[0].county_id, "plain": plain, "plain_county_id": plain[0].county_id,
            "plain_supervisor": make_user("supervisor", county="普通县", grid=None)}


def supervisor_pages(client: Any, auth: Any, supervisor: User, people: list[User], county_id: int) -> list[str]:
    auth.login(supervisor)
    urls = ["/", "/reports/", f"/reports/periods/{PERIOD}", f"/reports/people/{people[1].id}",
            f"/assessment/{PERIOD}", f"/assessment/{PERIOD}/ledger", f"/assessment/{PERIOD}/ranking",
            f"/assessment/{PERIOD}/notice/{county_id}", "/courses/progress",
            f"/certificates/manage?period={PERIOD}", f"/quizzes/monthly-{PERIOD}/people"]
    pages = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(response.get_data(as_text=True))
    auth.logout()
    return pages


def test_no_name_runs_script_on_the_supervisors_pages(client, auth, hostile_county, make_user):
    world = hostile_county
    baseline = supervisor_pages(client, auth, world["plain_supervisor"], world["plain"], world["plain_county_id"])
    pages = supervisor_pages(client, auth, world["supervisor"], world["people"], world["county_id"])
    problems, shown = [], 0
    for number, (html, plain) in enumerate(zip(pages, baseline, strict=True)):
        problems += [f"page {number}: {d}" for d in new_dangers(html, plain)]
        shown += "&lt;script&gt;" in html or "&lt;img" in html
    assert not problems, "\n".join(problems[:30])
    assert shown >= 5, "the hostile names were not on the pages: the test would prove nothing"
    # the admin's people page too
    auth.login(make_user("admin"))
    html = client.get("/admin/users?q=X0").get_data(as_text=True)
    assert not dangers(html)


def formula_cells_in_workbook(data: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(data))  # not data_only: formulas stay formulas
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value[:1] in "=+-@\t\r"):
                    found.append(f"{sheet.title}!{cell.coordinate}: {cell.value!r}")
    return found


def formula_cells_in_csv(data: bytes) -> list[str]:
    found = []
    for number, row in enumerate(csv.reader(io.StringIO(data.decode("utf-8-sig"))), 1):
        for value in row:
            if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"-?\d+(\.\d+)?", value):
                found.append(f"row {number}: {value!r}")
    return found


def test_no_export_turns_a_name_into_a_formula(client, auth, runner, hostile_county, tmp_path):
    people = hostile_county["people"]
    auth.login(hostile_county["supervisor"])
    problems: list[str] = []
    for url in [f"/assessment/{PERIOD}/export.xlsx", f"/reports/periods/{PERIOD}/export.xlsx", "/reports/export.xlsx",
                f"/reports/people/{people[-1].id}/export.xlsx", f"/reports/people/{people[-2].id}/export.xlsx"]:
        response = client.get(url)
        assert response.status_code == 200, url
        problems += [f"{url} {cell}" for cell in formula_cells_in_workbook(response.get_data())]
    csv_export = client.get(f"/assessment/{PERIOD}/export.csv")
    problems += [f"export.csv {cell}" for cell in formula_cells_in_csv(csv_export.get_data())]
    for fmt in ("xlsx", "csv"):  # the command payroll runs
        output = tmp_path / f"payroll.{fmt}"
        assert runner.invoke(args=["export", PERIOD, "--format", fmt, "-o", str(output)]).exit_code == 0
        check = formula_cells_in_workbook if fmt == "xlsx" else formula_cells_in_csv
        problems += [f"flask export {fmt} {cell}" for cell in check(output.read_bytes())]
    assert not problems, "\n".join(problems[:30])
    # the names are all still there, readable (neutralised, not dropped)
    rows = list(csv.reader(io.StringIO(csv_export.get_data().decode("utf-8-sig"))))
    cells = {value for row in rows for value in row}
    assert all("'" + formula.strip() in cells for formula in FORMULAS), "a neutralised name must stay readable"


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,  # noqa: S603, S607
                          check=True).stdout


def test_the_notice_pdf_and_certificates_print_names_as_text(client, auth, hostile_county, tmp_path):
    people = hostile_county["people"]
    auth.login(hostile_county["supervisor"])
    notice = client.get(f"/assessment/{PERIOD}/notice/{hostile_county['county_id']}.pdf")
    assert notice.status_code == 200
    assert notice.get_data()[:5] == b"%PDF-"
    text = "".join(pdf_text(notice.get_data(), tmp_path).split())  # a long name may wrap anywhere
    failed = [p for i, p in enumerate(people) if i % 2 and len(p.name) <= 30 and "<" in p.name]
    assert len(failed) >= 5
    missing = [p.name for p in failed if "".join(p.name.split()) not in text]
    assert not missing, f"names not printed literally in the notice: {missing[:5]}"
    # a certificate of someone whose name is a vector prints it as text too
    holder = next(p for i, p in enumerate(people) if i % 2 == 0 and p.name.startswith("<"))
    code = db.session.scalar(select(Certificate.code).where(Certificate.user_id == holder.id))
    certificate = client.get(f"/certificates/{code}.pdf")
    assert certificate.status_code == 200
    assert "".join(holder.name.split()) in "".join(pdf_text(certificate.get_data(), tmp_path).split())


@pytest.fixture
def listener() -> Iterator[list[str]]:
    """A local HTTP server that records every request it receives (what a PDF renderer would fetch)."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    requests.append(f"http://127.0.0.1:{server.server_port}")  # [0] is the address, the rest are requests
    yield requests
    server.shutdown()
    server.server_close()


def test_the_notice_pdf_fetches_nothing_from_the_network(client, auth, hostile_county, listener):
    """The published notice is stored HTML; even if a row held a remote image or stylesheet (a bug elsewhere, an
    edited database), rendering the PDF must not make the server fetch anything."""
    base = listener[0]
    db.session.add(Notice(period=PERIOD, county_id=hostile_county["county_id"], published_by_id=hostile_county[
        "supervisor"].id, body_html=f'<p>通报</p><img src="{base}/img.png"><link rel="stylesheet" href="{base}/s.css">'
                                    f'<p style="background: url({base}/bg.png)">背景</p>'))
    db.session.commit()
    auth.login(hostile_county["supervisor"])
    response = client.get(f"/assessment/{PERIOD}/notice/{hostile_county['county_id']}.pdf")
    assert response.status_code == 200
    assert listener[1:] == [], f"the PDF renderer fetched {listener[1:]}"


# --- SQL through every parameter of the API --------------------------------------------------------------------------

SQL_PAYLOADS = ["' OR '1'='1", "' OR 1=1 --", "2026-11' OR 'x'='x", "1; DROP TABLE users; --", "\" OR \"\"=\"",
                "') OR ('1'='1", "' UNION SELECT employee_no, password_hash FROM users --", "%", "_", "%' --",
                "1 OR 1=1", "\\", "'; SELECT pg_sleep(5); --", "\x00", "0x27", "2026-11%"]


def api_parameters(client: Any) -> list[tuple[str, str, str, str]]:
    """(method, path template, parameter name, where) for every GET route of the OpenAPI document."""
    document = client.get("/api/v1/openapi.json").get_json()
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method != "get":
                continue
            for parameter in operation.get("parameters", []):
                found.append((method, path, parameter["name"], parameter["in"]))
            if not operation.get("parameters"):
                found.append((method, path, "", ""))
    return found


def test_every_query_parameter_the_api_reads_is_in_the_openapi_document(client):
    """So "every parameter" below really is every one: the modules' request.args reads are all documented."""
    documented = {name for _m, _p, name, where in api_parameters(client) if where == "query"}
    read = set()
    for module in Path(__file__).resolve().parents[2].joinpath("lms").glob("*/api.py"):
        read |= set(re.findall(r"request\.args\.get\(\s*\"(\w+)\"", module.read_text(encoding="utf-8")))
    assert read <= documented, f"query parameters read but not documented: {sorted(read - documented)}"


@pytest.fixture
def two_counties(managers, monthly_quiz, take, make_user):
    here, there = managers(4, county="城区", grid="东城网格"), managers(4, county="临江县", grid="临江镇营业部")
    for period in ("2026-10", "2026-11"):
        take(monthly_quiz(period), {p: 50 + 12 * i for i, p in enumerate(here + there)})
        assessment.close_month(period, now=after_close(period))
    return make_user("supervisor", county="城区", grid=None), here, there


def rows_of(body: Any) -> int:
    if isinstance(body, list):
        return len(body)
    if isinstance(body, dict):
        return sum(rows_of(v) for v in body.values() if isinstance(v, list))
    return 0


def test_sql_through_every_api_parameter_is_only_data(client, auth, two_counties, record_figures):
    supervisor, here, there = two_counties
    auth.login(supervisor)
    clean = {"period": "2026-11", "q": "政策", "unread": "1", "page": "1", "slug": "zz-missing",
             "code": "ZZZZ-ZZZZ", "attempt_id": "1"}
    problems, requests = [], 0
    outsiders = {p.employee_no for p in there}
    for _method, template, name, where in api_parameters(client):
        for payload in SQL_PAYLOADS:
            def fill(match: re.Match[str], name: str = name, payload: str = payload, where: str = where) -> str:
                value = payload if (where == "path" and match.group(1) == name) else clean.get(match.group(1), "1")
                return quote(value, safe="")

            url = "/api/v1" + re.sub(r"\{(\w+)\}", fill, template)
            query = {"period": clean["period"]} if "period" in template or "ledger" in template or \
                "failed-twice" in template else {}
            if where == "query":
                response = client.get(url, query_string={**query, name: payload})
                baseline = client.get(url, query_string={**query, name: "zz-no-such-value"})
            else:
                response, baseline = client.get(url, query_string=query), None
            requests += 1
            body = response.get_data(as_text=True)
            if response.status_code >= 500:
                problems.append(f"{url} {name}={payload!r}: {response.status_code}")
            if any(number in body for number in outsiders):
                problems.append(f"{url} {name}={payload!r}: another county's people leaked")
            if "password_hash" in body or "scrypt:" in body:
                problems.append(f"{url} {name}={payload!r}: a password hash leaked")
            if baseline is not None and response.status_code == 200 and baseline.status_code == 200 and \
                    rows_of(response.get_json()) > rows_of(baseline.get_json()):
                problems.append(f"{url} {name}={payload!r}: more rows than for a value that matches nothing")
    assert not problems, "\n".join(problems[:30])
    assert db.session.scalar(select(User.id).where(User.employee_no == here[0].employee_no))  # nothing dropped
    record_figures("sql_injection", {"requests": requests, "payloads": len(SQL_PAYLOADS)})


def test_a_nul_character_is_bad_input_not_a_server_error(app, client, auth, make_user):
    """PostgreSQL cannot store NUL in text, so before the guard in lms/core/security.py a NUL in a search box
    (``/api/v1/lessons?q=%00``) was a 500 there. Links, forms and JSON bodies: 400, nothing stored."""
    from lms.attempts.models import AttemptAnswer
    from tests.support.quiz_files import PRACTICE

    write_quiz(app, "nul-quiz", PRACTICE)
    sync(app)
    person = make_user("manager")
    assert post_form(client, "/login", {"employee_no": person.employee_no + "\x00", "password": "x"}).status_code \
        == 400
    auth.login(person)
    headers = api_headers(client)
    paper = client.post("/api/v1/quizzes/nul-quiz/attempts", headers=headers).get_json()
    fill = next(q for q in paper["questions"] if q["type"] == "fill")
    for body in ({"text": "B2B\u0000"}, {"text": "ok", "note": "\u0000"}):
        response = client.put(f"/api/v1/attempts/{paper['id']}/answers/{fill['id']}", headers=headers, json=body)
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.get_json()["error"]["code"] == "bad_request"
    assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 0
    for url in ["/api/v1/lessons?q=%00", "/api/v1/lessons/a%00b", "/api/v1/ledger?period=2026-11%00",
                "/courses?q=%00", "/lessons/a%00b", "/quizzes/a%00b", "/certificates/verify/A%00B"]:
        assert client.get(url).status_code == 400, url
    saved = client.put(f"/api/v1/attempts/{paper['id']}/answers/{fill['id']}", headers=headers, json={"text": "B2B"})
    assert saved.status_code == 200  # the guard refuses NUL, not answers


# --- CSP on every page -----------------------------------------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style[\s>]|\sstyle=\"", re.IGNORECASE)


@pytest.mark.parametrize("role", ["anonymous", "manager", "supervisor", "admin"])
def test_every_route_answers_with_the_csp_and_no_inline_code(app, client, auth, make_user, role):
    if role != "anonymous":
        auth.login(make_user(role, county="城区", grid=None if role == "supervisor" else "东城网格"))
    problems, pages = [], 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint == "accounts.set_language":
            continue
        response = client.get(build_url(rule))
        if response.headers.get("Content-Security-Policy") != CSP:
            problems.append(f"{rule.rule}: CSP {response.headers.get('Content-Security-Policy')!r}")
        if response.mimetype == "text/html" and response.status_code == 200:
            pages += 1
            html = response.get_data(as_text=True)
            if INLINE_SCRIPT.search(html) or INLINE_STYLE.search(html):
                problems.append(f"{rule.rule}: inline script or style (blocked by the CSP, so the page breaks)")
        response.close()
    assert not problems, "\n".join(problems)
    assert "'unsafe-inline'" not in CSP
    assert "script-src 'self'" in CSP
    assert pages >= 2
    # the login form carries the token the CSP-bound page needs
    assert csrf_token(client, "/login" if role == "anonymous" else "/")


def test_csp_is_on_error_pages_and_downloads_too(client, auth, make_user):
    auth.login(make_user("admin"))
    for url in ["/admin/users/template.csv", "/quizzes/banks/template.xlsx", "/nope", "/api/v1/nope"]:
        assert client.get(url).headers["Content-Security-Policy"] == CSP, url
    response = post_form(client, "/login", {"employee_no": "x", "password": "y"}, token_from="/")
    assert response.headers["Content-Security-Policy"] == CSP
