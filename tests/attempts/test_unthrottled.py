"""The autosave under an app-wide rate limit: other requests are throttled, an autosave never is, and it skips the
limiter's per-request work (lms.core.ratelimit)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from lms.accounts import services as accounts
from lms.extensions import limiter
from tests.support.quiz_files import PRACTICE


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every app of this module has an app-wide limit of two requests a minute, as an operator could configure;
    removed afterwards, since the limiter is one object shared by every app of the test run."""
    yield {**app_config, "RATELIMIT_APPLICATION": "2/minute"}
    limiter.limit_manager.set_application_limits([])


def test_an_app_wide_limit_throttles_other_requests_but_never_an_autosave(client, make_user, make_quiz):
    make_quiz("practice-basics", PRACTICE)
    token = accounts.create_token(make_user("manager").employee_no, "test")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    started = client.post("/api/v1/quizzes/practice-basics/attempts", headers=headers)
    assert started.status_code == 201
    attempt_id = started.get_json()["id"]
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # the second request of the minute
    assert client.get("/api/v1/me", headers=headers).status_code == 429  # the third is refused
    for seq in range(1, 9):  # far over the limit: every autosave is stored
        saved = client.put(f"/api/v1/attempts/{attempt_id}/answers/q1", headers=headers,
                           data=json.dumps({"choices": ["AB"[seq % 2]], "seq": seq}))
        assert saved.status_code == 200, saved.get_data(as_text=True)
        assert saved.get_json()["seq"] == seq
        assert not [name for name, _value in saved.headers if name.lower().startswith("x-ratelimit")]
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 429  # the limit still holds everywhere else
    assert refused.headers["X-RateLimit-Limit"] == "2"
