"""A manager's home page shows this month's test once: in 正在开放的考试 while it can be taken (its window or its
make-up window), in 本月考试 otherwise; the same state reads the same word in both."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.support.clock import Clock, server_clock
from tests.support.quiz_files import MONTHLY
from tests.support.web import api_headers

TITLE = "2026年11月渠道政策月考"
WITH_MAKEUP = MONTHLY + "makeup: {opens: 2026-11-10T00:00, closes: 2026-11-12T23:59}\n"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return server_clock(monkeypatch, datetime(2026, 11, 3, 2, 0, tzinfo=UTC))


def home(client) -> str:
    return client.get("/").get_data(as_text=True)


def fail_it(client) -> None:
    attempt = client.post("/api/v1/quizzes/monthly-2026-11/attempts", headers=api_headers(client)).get_json()
    client.put(f"/api/v1/attempts/{attempt['id']}/answers/q1", data=json.dumps({"choices": ["B"]}),
               headers=api_headers(client))
    client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=api_headers(client))


def test_an_open_test_is_shown_once_and_reads_as_not_taken(client, auth, make_user, make_quiz, clock):
    make_quiz("monthly-2026-11", MONTHLY)
    auth.login(make_user("manager"))
    page = home(client)
    assert "正在开放的考试" in page
    assert "本月考试" not in page
    assert page.count(TITLE) == 1
    assert "未参加" in page
    assert "未开始" not in page


def test_after_the_close_the_month_s_panel_says_absent(client, auth, make_user, make_quiz, clock):
    make_quiz("monthly-2026-11", MONTHLY)
    auth.login(make_user("manager"))
    clock.now = datetime(2026, 11, 9, 1, 0, tzinfo=UTC)
    page = home(client)
    assert "正在开放的考试" not in page
    assert "本月考试" in page
    assert page.count(TITLE) == 1
    assert "缺考" in page


def test_in_the_make_up_window_a_failed_manager_sees_the_score_and_the_way_to_the_make_up(client, auth, make_user,
                                                                                          make_quiz, clock):
    make_quiz("monthly-2026-11", WITH_MAKEUP)
    auth.login(make_user("manager"))
    fail_it(client)
    clock.now = datetime(2026, 11, 10, 4, 0, tzinfo=UTC)
    page = home(client)
    assert "本月考试" not in page
    assert page.count(TITLE) == 1
    assert "未通过" in page
    assert "去补考" in page
