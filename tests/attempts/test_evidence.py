"""Evidence kinds: only a real switch counts toward the limit and the warning; reloads, leaving the page, going
offline and a screen that timed out are recorded as their own kinds; old kind names still work for API clients; the
evidence reads in words."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from lms.attempts import evidence, queries, rules
from lms.attempts.models import AttemptEvent
from lms.extensions import db
from tests.support.quiz_files import PRACTICE
from tests.support.web import api_headers

STRICT = PRACTICE.replace("time_limit_minutes: 10", "time_limit_minutes: 10\ntab_switch_limit: 1")
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


@pytest.fixture
def strict(make_quiz, make_user, auth, client, clock):
    make_quiz("strict", STRICT)
    auth.login(make_user("manager"))
    return client.post("/api/v1/quizzes/strict/attempts", headers=api_headers(client)).get_json()["id"]


def post_event(client, attempt_id, kind, detail=None):
    return client.post(f"/api/v1/attempts/{attempt_id}/events", data=json.dumps({"kind": kind, "detail": detail}),
                       headers=api_headers(client))


def kinds(attempt_id):
    return list(db.session.scalars(select(AttemptEvent.kind).where(AttemptEvent.attempt_id == attempt_id)
                                   .order_by(AttemptEvent.at, AttemptEvent.id)))


@pytest.mark.parametrize(("kind", "counts"), [
    ("tab_switch", True), ("tab_hidden", True), ("fullscreen_exit", True),
    ("page_hidden", False), ("page_leave", False), ("page_reload", False), ("page_return", False),
    ("screen_off", False), ("offline", False), ("online", False), ("tab_visible", False), ("resumed", False),
])
def test_only_switches_count(kind, counts):
    assert rules.is_switch(kind) is counts
    assert kind in rules.CLIENT_EVENT_KINDS


def test_details_are_kept_as_plain_values():
    detail = {"seconds": 12, "ratio": 0.5, "ok": True, "text": "x" * 300, "nested": {"a": 1}, 3: "number key",
              "nan": float("nan"), "list": [1]}
    assert rules.clean_detail(detail) == {"seconds": 12, "ratio": 0.5, "ok": True, "text": "x" * 200}
    assert rules.clean_detail({f"k{i}": i for i in range(30)}) == {f"k{i}": i for i in range(rules.MAX_DETAIL_KEYS)}
    assert rules.clean_detail("nope") is None
    assert rules.clean_detail({}) is None


@pytest.mark.parametrize(("delay", "seconds_before"), [
    (None, 0), (0, 0), (-5, 0), ("30", 0), (True, 0), (float("inf"), 0), (30, 30), (30.4, 30.4), (10_000, 600),
])
def test_an_event_sent_late_is_dated_when_it_happened_but_not_before_the_start(delay, seconds_before):
    started = NOW - timedelta(seconds=600)
    assert rules.event_time(NOW, started, delay) == NOW - timedelta(seconds=seconds_before)


def test_reloads_and_offline_spells_never_reach_the_limit(client, strict):
    for kind in ("page_hidden", "page_leave", "page_reload", "page_return", "screen_off", "offline", "online",
                 "page_leave", "screen_off", "offline"):
        response = post_event(client, strict, kind)
        assert (response.status_code, response.get_json()["status"]) == (201, "in_progress")
    assert queries.switch_count(strict) == 0
    assert post_event(client, strict, "tab_switch", {"seconds": 4}).get_json()["status"] == "in_progress"
    assert post_event(client, strict, "tab_switch", {"seconds": 9}).get_json() == {
        "status": "submitted", "finish_reason": "tab_limit"}
    assert queries.switch_count(strict) == 2


def test_old_kind_names_still_count_for_api_clients(client, strict):
    assert post_event(client, strict, "tab_visible").status_code == 201
    assert post_event(client, strict, "tab_hidden").get_json()["status"] == "in_progress"
    assert post_event(client, strict, "fullscreen_exit").get_json()["finish_reason"] == "tab_limit"


def test_an_unknown_kind_is_refused(client, strict):
    assert post_event(client, strict, "hack").status_code == 422


def test_an_event_the_page_could_not_send_is_dated_when_it_happened(client, strict, clock):
    clock.advance(minutes=5)
    post_event(client, strict, "offline", {"delay": 40})
    logged = db.session.scalars(select(AttemptEvent).where(AttemptEvent.attempt_id == strict,
                                                           AttemptEvent.kind == "offline")).one()
    assert logged.at == clock.now - timedelta(seconds=40)
    assert logged.detail == {"delay": 40}


def test_coming_back_to_a_running_attempt_is_recorded_as_the_page_says(client, strict):
    again = client.post("/api/v1/quizzes/strict/attempts", headers=api_headers(client),
                        data=json.dumps({"arrival": {"kind": "page_reload", "navigation": "reload",
                                                     "away_seconds": 2, "extra": {"x": 1}}}))
    assert again.status_code == 200
    plain = client.post("/api/v1/quizzes/strict/attempts", headers=api_headers(client))
    assert plain.status_code == 200
    odd = client.post("/api/v1/quizzes/strict/attempts", headers=api_headers(client),
                      data=json.dumps({"arrival": {"kind": "tab_switch"}}))
    assert odd.status_code == 200
    assert kinds(strict) == ["started", "page_reload", "resumed", "resumed"]
    reload = db.session.scalars(select(AttemptEvent).where(AttemptEvent.kind == "page_reload")).one()
    assert reload.detail == {"navigation": "reload", "away_seconds": 2}
    assert queries.switch_count(strict) == 0


def test_the_openapi_document_lists_the_new_kinds(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/attempts/{attempt_id}/events"]["post"]
    listed = operation["requestBody"]["content"]["application/json"]["schema"]["properties"]["kind"]["enum"]
    assert {"tab_switch", "page_leave", "page_reload", "screen_off", "offline", "tab_hidden"} <= set(listed)
    start = document["paths"]["/quizzes/{slug}/attempts"]["post"]
    assert "arrival" in start["requestBody"]["content"]["application/json"]["schema"]["properties"]


def event(kind, detail=None):
    return SimpleNamespace(at=NOW, kind=kind, detail=detail)


def test_the_evidence_reads_in_words(app):
    paper = {"questions": [{"id": "bank.q7"}, {"id": "bank.q2"}]}
    with app.test_request_context():
        rows = evidence.timeline([
            event("started", {"version": 2, "makeup": True}),
            event("answer_saved", {"question": "bank.q2", "seq": 3}),
            event("page_hidden", {"idle_seconds": 3}),
            event("tab_switch", {"seconds": 75, "idle_seconds": 3}),
            event("screen_off", {"seconds": 3700, "idle_seconds": 45}),
            event("page_leave"),
            event("page_reload", {"navigation": "reload", "away_seconds": 2}),
            event("page_return", {"navigation": "navigate", "hidden_seconds": 40}),
            event("offline", {"delay": 31}),
            event("online", {"seconds": 31}),
            event("extra_time", {"minutes": 10, "by": "T0001"}),
            event("submitted", {"reason": "submit", "score": 80.0}),
            event("expired", {"reason": "deadline", "score": 92.5}),
            event("something_new", {"code": "x"}),
        ], paper)
        summary = evidence.away_summary(["page_reload", "page_return", "offline", "tab_switch", "screen_off"])
    said = [(r.label, r.text) for r in rows]
    assert said == [
        ("开始作答", "试卷第 2 版 · 补考"),
        ("保存答案", "第 2 题"),
        ("页面转入后台", ""),
        ("切屏", "离开 1 分 15 秒 · 此前 3 秒无操作"),
        ("熄屏或锁屏", "离开 1 小时 1 分 · 此前 45 秒无操作"),
        ("离开答题页（刷新、跳转或关闭）", ""),
        ("刷新答题页", "离开 2 秒"),
        ("重新打开答题页", "页面在后台 40 秒后重新加载"),
        ("网络断开", "恢复网络后补报"),
        ("网络恢复", "断开 31 秒"),
        ("延长时间", "延长 10 分钟 · 操作人 T0001"),
        ("交卷", "本人交卷 · 80 分"),
        ("时间到，自动交卷", "时间到，系统按已保存的答案自动交卷 · 92.5 分"),
        ("其他事件", ""),
    ]
    assert [r.is_switch for r in rows].count(True) == 1
    assert summary == ["刷新或重新打开答题页 2 次", "熄屏或锁屏 1 次", "断网 1 次"]


def test_the_supervisors_report_counts_the_same_switches():
    from lms.reports.queries.person_report import AttemptEvidence

    report = AttemptEvidence(
        id=1, quiz_slug="q", quiz_title="Q", period=None, number=1, official=False, makeup=False, status="submitted",
        started_at=NOW, deadline_at=NOW, finished_at=NOW, finish_reason="submit", score=80.0, passed=True,
        events=[(NOW, kind, None) for kind in ("tab_switch", "page_leave", "page_reload", "screen_off", "offline",
                                               "online", "tab_hidden", "page_hidden")])
    assert report.tab_switches == 2  # tab_switch and the legacy tab_hidden
