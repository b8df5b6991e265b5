"""Reminders the system sends by itself, on real rows: the monthly test window, make-up, new lessons in this
month's pack, ledger entries; and the lesson read receipts of the training pack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from lms.announcements import reminders
from lms.announcements.models import GroupRobot, InboxMessage, OutboxMessage
from lms.core import events
from lms.core.clock import period_of
from lms.extensions import db
from tests.support.ledger import add_ledger_entry
from tests.support.packs import published_pack
from tests.support.web import post_form

OPENS = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 2026-11-01 00:00 Shanghai
CLOSES = datetime(2026, 11, 8, 15, 59, tzinfo=UTC)  # 2026-11-08 23:59 Shanghai
MAKEUP_OPENS = datetime(2026, 11, 14, 16, 0, tzinfo=UTC)
MAKEUP_CLOSES = datetime(2026, 11, 18, 15, 59, tzinfo=UTC)


def inbox_of(kind: str) -> set[tuple[int, str]]:
    return {(m.user_id, m.title) for m in db.session.scalars(select(InboxMessage).where(InboxMessage.kind == kind))}


@pytest.fixture
def people(make_user):
    return {
        "absent": make_user("manager", name="未考"),
        "passed": make_user("manager", name="已及格"),
        "failed": make_user("manager", name="不及格"),
        "exempt": make_user("manager", name="免考"),
        "gone": make_user("manager", name="已停用", active=False),
        "trainer": make_user("trainer"),
        "supervisor": make_user("supervisor", county="城区", grid=None),
    }


def test_the_monthly_test_reminders_reach_exactly_the_right_people_at_the_right_time(app, people, monthly_quiz, take,
                                                                                     accommodate):
    quiz = monthly_quiz("2026-11", slug="nov", title="nov 月考", makeup=(MAKEUP_OPENS, MAKEUP_CLOSES))
    take(quiz, {people["passed"]: 80, people["failed"]: 79.9})
    accommodate(quiz, people["exempt"], "exempt", "产假", by=people["trainer"])
    title = "考试已开放：nov 月考"

    assert reminders.run_reminders(now=OPENS - timedelta(minutes=1)).created == 0
    report = reminders.run_reminders(now=OPENS + timedelta(hours=8))
    assert inbox_of("quiz_open") == {(people["absent"].id, title)}
    assert report.created == 1

    reminders.run_reminders(now=CLOSES - timedelta(days=2, minutes=1))
    assert inbox_of("quiz_closing") == set()
    reminders.run_reminders(now=CLOSES - timedelta(days=2))
    assert inbox_of("quiz_closing") == {(people["absent"].id, "考试即将截止：nov 月考")}

    reminders.run_reminders(now=MAKEUP_OPENS + timedelta(hours=1))
    assert {user for user, _title in inbox_of("quiz_makeup")} == {people["absent"].id, people["failed"].id}
    message = db.session.scalar(select(InboxMessage).where(InboxMessage.kind == "quiz_makeup"))
    assert message.link == f"/quizzes/{quiz.slug}"


def test_a_later_monthly_test_of_the_period_reaches_only_those_who_failed_the_first(app, people, monthly_quiz, take):
    first = monthly_quiz("2026-11", slug="nov", title="nov 月考")
    monthly_quiz("2026-11", slug="nov-makeup", title="nov-makeup 月考", opens=MAKEUP_OPENS, closes=MAKEUP_CLOSES)
    take(first, {people["passed"]: 95, people["failed"]: 40})
    reminders.run_reminders(now=MAKEUP_OPENS + timedelta(minutes=5))
    assert {u for u, t in inbox_of("quiz_open") if "nov-makeup" in t} == {people["absent"].id, people["failed"].id,
                                                                         people["exempt"].id}


def test_reminders_run_twice_the_same_day_creates_nothing_new(app, runner, people, monthly_quiz):
    monthly_quiz("2026-11", slug="nov", title="nov 月考")
    db.session.add(GroupRobot(name="全市渠道群", kind="wecom", url="https://robot.invalid/send", active=True))
    db.session.commit()
    first = runner.invoke(args=["reminders", "run", "--now", "2026-11-01T09:00"])
    assert first.exit_code == 0, first.output
    assert "reminders: 4 new of 4 due (quiz_open=4)" in first.output  # the four active managers; nobody has sat

    assert "1 group-robot posts queued" in first.output
    second = runner.invoke(args=["reminders", "run", "--now", "2026-11-01T18:00"])
    assert "reminders: 0 new of 4 due" in second.output
    assert "0 group-robot posts" in second.output
    dry = runner.invoke(args=["reminders", "run", "--dry-run", "--now", "2026-11-07T09:00"])
    assert "[dry run]" in dry.output
    assert inbox_of("quiz_closing") == set()
    assert db.session.scalar(select(func.count()).select_from(InboxMessage)) == 4
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_ledger_entry_brings_a_message_with_the_reason_and_how_to_appeal(app, people):
    entry = add_ledger_entry(people["failed"], amount_yuan=200, idempotency_key="test:penalty:1",
                             reason="连续两个月业务测试不及格（10月 72 分，11月 79.9 分）")
    events.ledger_entry_written.send(entry)
    events.ledger_entry_written.send(entry)  # a repeated event changes nothing
    messages = list(db.session.scalars(select(InboxMessage).where(InboxMessage.kind == "ledger")))
    assert len(messages) == 1
    assert messages[0].user_id == people["failed"].id
    assert messages[0].title == "考核记录：现金处罚"
    assert "原因：连续两个月业务测试不及格（10月 72 分，11月 79.9 分）" in messages[0].body
    assert "金额：200 元" in messages[0].body
    assert "7 天内在“我的考核”中对这条记录提出申诉（由所在县区主管处理）" in messages[0].body
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0  # enqueue only; no e-mail asked


def test_publishing_a_lesson_alone_tells_nobody(app, people):
    """The month's lessons are announced with the month's pack (tests/courses/test_packs.py), not one by one."""
    lesson = SimpleNamespace(slug="pack-handset-subsidy", title="本月终端补贴", period=period_of(datetime.now(UTC)))
    events.lesson_published.send(lesson)
    assert db.session.scalar(select(func.count()).select_from(InboxMessage)) == 0


def test_lesson_receipts_of_the_pack_are_scoped_and_can_nudge(app, auth, make_user):
    from lms.courses.models import Lesson, LessonProgress

    east = make_user("manager", county="城区", grid="东城网格", name="东城经理")
    west = make_user("manager", county="城区", grid="西城网格", name="西城经理")
    north = make_user("manager", county="郊县", grid="北镇网格", name="北镇经理")
    supervisor = make_user("supervisor", county="城区", grid=None)
    now = datetime.now(UTC)
    lesson = Lesson(slug="nov-policy", source="web", title="11月渠道政策", category="policy-handset",
                    period="2026-11", current_number=1, published_number=1, published_at=now)
    # Same month, live, but not in the pack: the page follows the published pack, not lessons' months.
    stray = Lesson(slug="nov-stray", source="web", title="11月未入包课程", category="policy-handset",
                   period="2026-11", current_number=1, published_number=1, published_at=now)
    db.session.add_all([lesson, stray])
    db.session.flush()
    db.session.add_all([LessonProgress(lesson_id=lesson.id, user_id=east.id, visits=2, studied_at=now,
                                       studied_revision=1),
                        LessonProgress(lesson_id=lesson.id, user_id=north.id, visits=1)])
    db.session.commit()
    published_pack("2026-11", ["nov-policy"])

    auth.login(supervisor)
    page = auth.client.get("/announcements/lessons?period=2026-11").get_data(as_text=True)
    assert "11月渠道政策" in page
    assert "11月未入包课程" not in page
    assert "共 2 人：已打开 1 人，已学完 1 人。" in page
    assert "西城经理" in page
    assert "北镇经理" not in page
    response = post_form(auth.client, "/announcements/lessons/nov-policy/nudge", {"period": "2026-11"},
                         token_from="/announcements/lessons?period=2026-11")
    assert response.status_code == 302
    assert inbox_of("nudge") == {(west.id, "请学习本月课程：11月渠道政策")}


def test_lesson_receipts_follow_the_published_pack_not_lessons_months(app, auth, make_user):
    from lms.courses.models import Lesson

    supervisor = make_user("supervisor", county="城区", grid=None)
    now = datetime.now(UTC)
    this_month, other = period_of(now), "2020-01"
    db.session.add_all([
        Lesson(slug="old-month-lesson", source="web", title="往月课程", category="policy-handset", period=other,
               current_number=1, published_number=1, published_at=now),
        Lesson(slug="this-month-lesson", source="web", title="本月课程甲", category="policy-handset",
               period=this_month, current_number=1, published_number=1, published_at=now)])
    db.session.commit()
    auth.login(supervisor)

    # Lessons dated this month but no pack published: an empty state, no lesson, no month to pick.
    page = auth.client.get("/announcements/lessons").get_data(as_text=True)
    assert "还没有已发布的培训包。" in page
    assert "本月课程甲" not in page

    # This month's pack may hold a lesson of another month; it is the one shown by default.
    published_pack("2020-01", ["this-month-lesson"], title="旧包")
    published_pack(this_month, ["old-month-lesson"])
    page = auth.client.get("/announcements/lessons").get_data(as_text=True)
    assert "往月课程" in page
    assert "本月课程甲" not in page
    page = auth.client.get("/announcements/lessons?period=2020-01").get_data(as_text=True)
    assert "本月课程甲" in page
    assert "往月课程" not in page
    # A month without a published pack falls back to the current one.
    page = auth.client.get("/announcements/lessons?period=2019-05").get_data(as_text=True)
    assert "往月课程" in page
