"""Throttling wrong passwords, beyond tests/accounts/test_throttling.py (per employee number, colleagues behind one
address, successes not counted, the per-address ceiling):

- the key is employee number *and* address: an attacker elsewhere cannot lock a person out of their own phone;
- a carrier's shared address: thirty colleagues signing in from one IP, some mistyping once, none is refused;
- the window passes (time moved with freezegun) and the person can sign in again;
- with Redis storage (LMS_RATELIMIT_STORAGE_URI=redis://…), the count is shared between two server processes:
  guessing cannot be spread across workers (with per-process memory, the control, it can).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from freezegun import freeze_time

from lms.core.clock import utcnow
from tests.support.servers import AppServer, running
from tests.support.web import CSRF_META, post_form

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Said explicitly: the limiter is one object for the process, and Flask-Limiter keeps ``enabled`` from the
    last app that set it (a module that turns limits off for its own app would otherwise turn them off here)."""
    return {**app_config, "RATELIMIT_ENABLED": True}


def sign_in(client: Any, employee_no: str, password: str, address: str) -> int:
    return post_form(client, "/login", {"employee_no": employee_no, "password": password},
                     environ_base={"REMOTE_ADDR": address}).status_code


def test_an_attacker_elsewhere_cannot_lock_a_person_out(app, make_user):
    victim = make_user()
    attacker, phone = app.test_client(), app.test_client()
    attempts = [sign_in(attacker, victim.employee_no, "guess-123", "203.0.113.9") for _ in range(8)]
    assert attempts[-1] == 429
    assert sign_in(phone, victim.employee_no, "correct-horse-9", "198.51.100.20") == 302


def test_thirty_colleagues_behind_one_carrier_address_all_get_in(app, make_user):
    shared = "10.64.0.1"
    for number in range(30):
        person = make_user()
        browser = app.test_client()
        if number % 3 == 0:  # a typo first, as happens on a phone keyboard
            assert sign_in(browser, person.employee_no, "correct-horse-8", shared) == 401
        assert sign_in(browser, person.employee_no, "correct-horse-9", shared) == 302, number


def test_the_lock_lifts_when_the_window_passes(app, make_user):
    person = make_user()
    browser = app.test_client()
    with freeze_time(utcnow()) as clock:
        statuses = [sign_in(browser, person.employee_no, "wrong-pass-1", "198.51.100.7") for _ in range(6)]
        assert statuses[-1] == 429
        assert sign_in(browser, person.employee_no, "correct-horse-9", "198.51.100.7") == 429
        clock.tick(timedelta(seconds=61))
        assert sign_in(browser, person.employee_no, "correct-horse-9", "198.51.100.7") == 302


def redis_or_skip() -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")


def wrong_passwords_across(servers: list[AppServer], employee_no: str, tries: int) -> list[int]:
    """One browser whose requests a load balancer spreads over ``servers`` (same cookie, same address)."""
    statuses = []
    with httpx.Client(timeout=20) as browser:
        for number in range(tries):
            base = servers[number % len(servers)].base_url
            page = browser.get(f"{base}/login").text
            token = CSRF_META.search(page).group(1)
            response = browser.post(f"{base}/login", data={"employee_no": employee_no, "password": "wrong-pass-1",
                                                           "csrf_token": token})
            statuses.append(response.status_code)
    return statuses


@pytest.mark.slow
def test_with_redis_the_count_is_shared_between_server_processes(app, make_user):
    """Two gunicorn processes on one database. Counting in Redis, the sixth wrong password is refused whichever
    process gets it; counting in each process's memory (the control) it is not — which is why a deployment with
    more than one worker sets LMS_RATELIMIT_STORAGE_URI to Redis."""
    redis_or_skip()
    from lms.extensions import db

    # numbers of their own: Redis outlives the test, and its counters are keyed by employee number and address
    people = {storage: make_user(employee_no=f"R{uuid.uuid4().hex[:8]}") for storage in ("redis", "memory")}
    db.session.commit()
    results = {}
    for storage, uri in (("redis", REDIS_URL), ("memory", "memory://")):
        servers = [AppServer(app.config["SQLALCHEMY_DATABASE_URI"], env={"LMS_RATELIMIT_STORAGE_URI": uri}, workers=1)
                   for _ in range(2)]
        with running(servers[0]), running(servers[1]):
            results[storage] = wrong_passwords_across(servers, people[storage].employee_no, 6)
    assert results["redis"] == [401] * 5 + [429], results
    assert 429 not in results["memory"], results
