"""Every route × every role, anonymous included: nobody gets a 2xx they should not, nobody ever gets a 500.

The table below is the access policy as the product promises it. A new route that is not in the table fails
``test_every_route_is_in_the_matrix`` until someone decides who may see it.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import Rule

from tests.core.route_policy import DOMAIN_POLICY
from tests.support.web import csrf_token

ANON, MANAGER, TRAINER, GRID_SUP, COUNTY_SUP, CITY_SUP, ADMIN = (
    "anonymous", "manager", "trainer", "grid_supervisor", "county_supervisor", "city_supervisor", "admin")
SIGNED_IN = {MANAGER, TRAINER, GRID_SUP, COUNTY_SUP, CITY_SUP, ADMIN}
STAFF = {TRAINER, GRID_SUP, COUNTY_SUP, CITY_SUP, ADMIN}
SUPERVISORS = {GRID_SUP, COUNTY_SUP, CITY_SUP, ADMIN}
EVERYONE = SIGNED_IN | {ANON}

# endpoint -> roles that may receive a 2xx for a GET. Endpoints that act only on POST list who may post.
POLICY: dict[str, set[str]] = {
    "static": EVERYONE,
    "home.index": SIGNED_IN,
    "home.healthz": EVERYONE,
    "home.favicon": EVERYONE,
    "accounts.login": EVERYONE,
    "accounts.logout": SIGNED_IN,
    "accounts.change_password": SIGNED_IN,
    "accounts.my_sessions": SIGNED_IN,
    "accounts.end_my_session": SIGNED_IN,
    "accounts.end_other_sessions": SIGNED_IN,
    "accounts.person_sessions": {ADMIN},
    "accounts.end_person_session": {ADMIN},
    "accounts.end_person_sessions": {ADMIN},
    "accounts.set_language": EVERYONE,
    "accounts.admin_users": {ADMIN},
    "accounts.roster_template": {ADMIN},
    "accounts.admin_person": {ADMIN},
    "accounts.roster_preview": {ADMIN},
    "audit.search": {ADMIN},
    "audit.export_file": {ADMIN},
    "api.openapi_document": EVERYONE,
    "api.me": SIGNED_IN,
}
# Extended by each domain's own table (route_policy.py), merged here so the whole map is checked in one place.
POLICY.update(DOMAIN_POLICY)

PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def build_url(rule: Rule) -> str:
    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if converter in ("int",):
            return "999999"
        if name in ("period",):
            return "2026-11"
        if converter == "path" or name == "filename":
            return "missing.png"
        return "zz-missing"

    return PLACEHOLDER.sub(value, rule.rule)


@pytest.fixture
def people(make_user):
    return {
        MANAGER: make_user("manager", county="城区", grid="东城网格"),
        TRAINER: make_user("trainer"),
        GRID_SUP: make_user("supervisor", county="城区", grid="东城网格"),
        COUNTY_SUP: make_user("supervisor", county="城区", grid=None),
        CITY_SUP: make_user("supervisor", county=None, grid=None),
        ADMIN: make_user("admin"),
    }


def rules(app):
    return list(app.url_map.iter_rules())


def test_every_route_is_in_the_matrix(app):
    missing = sorted({r.endpoint for r in rules(app)} - set(POLICY))
    assert not missing, f"routes without an access decision: {missing}"


@pytest.mark.parametrize("role", [ANON, MANAGER, TRAINER, GRID_SUP, COUNTY_SUP, CITY_SUP, ADMIN])
def test_no_unexpected_success_and_never_a_server_error(app, auth, people, role):
    client = auth.client
    if role != ANON:
        assert auth.login(people[role]).status_code == 302
    problems = []
    for rule in rules(app):
        if "GET" not in (rule.methods or set()) or rule.endpoint in ("accounts.set_language",):
            continue
        url = build_url(rule)
        response = client.get(url)
        status = response.status_code
        response.close()
        allowed = role in POLICY.get(rule.endpoint, set())
        if status >= 500:
            problems.append(f"{url} as {role}: {status}")
        elif 200 <= status < 300 and not allowed:
            problems.append(f"{url} as {role}: {status}, expected no access")
        elif allowed and status in (401, 403):
            problems.append(f"{url} as {role}: {status}, expected access")
        if role == ANON and not allowed and status == 302:
            assert "/login" in response.headers["Location"], url
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", [ANON, MANAGER, ADMIN])
def test_every_write_without_a_csrf_token_is_refused(app, auth, people, role):
    client = auth.client
    if role != ANON:
        auth.login(people[role])
    problems = []
    for rule in rules(app):
        for method in sorted((rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}):
            url = build_url(rule)
            response = client.open(url, method=method, data={"x": "1"})
            # An anonymous API write is told to sign in (401) before its token is looked at: there is no session
            # for a token to belong to, and the quiz page must tell "signed out" from "refused" (keeps its queue).
            refusals = (400, 401, 404) if role == ANON and url.startswith("/api/") else (400, 404)
            if response.status_code not in refusals:
                problems.append(f"{method} {url} as {role}: {response.status_code}")
    assert not problems, "\n".join(problems)
    # and the session is still usable afterwards
    assert csrf_token(client, "/login" if role == ANON else "/")
