"""Numbers from outside never reach the database unbounded: an id past the database's INTEGER (32-bit signed on
PostgreSQL) is a 404 on every route that takes one, a page or numeric query argument out of range is a 400 naming
it; never a 500."""

from __future__ import annotations

import re

import pytest

from lms.core import numbers

PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
HUGE = (str(2**31), str(2**63), str(10**20), "9" * 5000)


def _url(rule, number: str) -> str:
    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if converter == "int":
            return number
        if name == "period":
            return "2026-11"
        return "missing.png" if converter == "path" else "zz-missing"

    return PLACEHOLDER.sub(value, rule.rule)


def _int_rules(app):
    return [rule for rule in app.url_map.iter_rules() if "int" in {c for c, *_ in _converters(rule)}]


def _converters(rule):
    return [(m.group(1), m.group(2)) for m in PLACEHOLDER.finditer(rule.rule)]


@pytest.fixture
def signed_in(make_user):
    return {"manager": make_user("manager"), "admin": make_user("admin"),
            "supervisor": make_user("supervisor", county="城区", grid=None)}


def test_the_int_converter_is_bounded_everywhere(app):
    assert app.url_map.converters["int"] is numbers.BoundedIntConverter
    assert len(_int_rules(app)) >= 10  # the API's attempts and inbox, the pages' people, sessions, robots …


@pytest.mark.parametrize("role", ["anonymous", "manager", "admin"])
def test_every_int_route_answers_404_for_ids_past_the_databases_integers(app, auth, signed_in, role):
    if role != "anonymous":
        assert auth.login(signed_in[role]).status_code == 302
    problems = []
    for rule in _int_rules(app):
        for number in HUGE:
            url = _url(rule, number)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                response = auth.client.open(url, method=method)
                if response.status_code != 404:
                    problems.append(f"{method} {url[:80]} as {role}: {response.status_code}")
                response.close()
    assert not problems, "\n".join(problems)


def test_the_largest_database_id_is_still_a_route_and_a_plain_404(app, auth, signed_in):
    auth.login(signed_in["manager"])
    assert auth.client.get(f"/api/v1/attempts/{2**31 - 1}").status_code == 404
    assert auth.client.get(f"/api/v1/inbox/{2**31 - 1}").status_code == 404
    assert auth.client.get(f"/reports/people/{2**31 - 1}").status_code in (403, 404)
    response = auth.client.get("/api/v1/attempts/99999999999999999999")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


# Every list that pages, on the pages and the API, as someone allowed to see it.
PAGED = [
    ("manager", "/inbox"),
    ("manager", "/api/v1/inbox"),
    ("supervisor", "/announcements"),
    ("admin", "/admin/outbox"),
    ("admin", "/admin/users"),
    ("supervisor", "/reports/periods/2026-11"),
]


@pytest.mark.parametrize(("role", "url"), PAGED)
def test_page_numbers_out_of_range_are_400_naming_the_argument(app, auth, signed_in, role, url):
    auth.login(signed_in[role])
    client = auth.client
    assert client.get(url).status_code == 200
    assert client.get(f"{url}?page=2").status_code == 200  # past the last page: an empty page, not an error
    for bad in ("99999999999999999999", "0", "-1", "abc", "1.5", str(numbers.MAX_PAGE + 1)):
        response = client.get(f"{url}?page={bad}")
        assert response.status_code == 400, (url, bad, response.status_code)
        assert "page" in response.get_data(as_text=True)
        if url.startswith("/api/"):
            assert response.json["error"]["code"] == "bad_request"


def test_numeric_query_arguments_of_pages_are_bounded(app, auth, signed_in, make_user):
    trainer = make_user("trainer")
    auth.login(trainer)
    for url in ("/reports/suggestions/session?grid=99999999999999999999",
                "/reports/suggestions/session?person=99999999999999999999",
                "/reports/suggestions/session?person=x1"):
        response = auth.client.get(url)
        assert response.status_code == 400, url


def test_parse_int_accepts_only_database_integers():
    assert numbers.parse_int("42") == 42
    assert numbers.parse_int(" 7 ") == 7
    assert numbers.parse_int(str(2**31 - 1)) == 2**31 - 1
    assert numbers.parse_int(str(-(2**31))) == -(2**31)
    for text in (str(2**31), str(2**63), "1e3", "0x10", "٣", "", "-", "9" * 5000, None):
        assert numbers.parse_int(text) is None, text
    assert numbers.to_id("0") is None
    assert numbers.to_id(True) is None
    assert numbers.to_id(2**31) is None
    assert numbers.to_id("12") == 12


def test_numbers_in_forms_are_bounded_too(app, auth, signed_in):
    from tests.support.web import post_form

    auth.login(signed_in["manager"])
    for value in ("99999999999999999999", str(2**31), "0", "x"):
        for url in ("/wrong-answers", "/wrong-answers/mastered"):
            response = post_form(auth.client, url, {"attempt_id": value, "question_id": "q1"},
                                 token_from="/wrong-answers")
            assert response.status_code == 400, (url, value, response.status_code)
