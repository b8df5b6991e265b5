"""The month's training pack: chosen by a trainer, published once with one announcement, shown on managers' home
page in the trainer's order, and the progress page's month picker."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from lms.announcements.models import Announcement, InboxMessage
from lms.audit import rules as audit_rules
from lms.audit.models import AuditEntry
from lms.courses import pack_rules, services
from lms.courses.models import Lesson, TrainingPack
from lms.courses.rules import LessonMeta
from lms.extensions import db
from tests.support.packs import published_pack
from tests.support.web import post_form

DECEMBER = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


# --- rules ---------------------------------------------------------------------------------------------------------


def test_ticked_lessons_keep_the_trainers_order_and_new_ones_go_last():
    assert pack_rules.chosen_order([3, 1, 2], [1, 2, 3]) == [3, 1, 2]
    assert pack_rules.chosen_order([3, 1, 2], [2, 5, 3]) == [3, 2, 5]
    assert pack_rules.chosen_order([], [4, 4, 1]) == [4, 1]


@pytest.mark.parametrize(("lesson", "direction", "expected"), [
    (2, "up", [2, 1, 3]), (2, "down", [1, 3, 2]), (1, "up", [1, 2, 3]), (3, "down", [1, 2, 3]),
    (9, "up", [1, 2, 3]), (2, "sideways", [1, 2, 3]),
])
def test_up_and_down_move_one_place_and_stop_at_the_ends(lesson, direction, expected):
    assert pack_rules.move([1, 2, 3], lesson, direction) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("up:12", ("up", 12)), ("down:3", ("down", 3)), ("up:", None), ("left:1", None), ("up:-1", None),
    ("up:99999999999", None), ("", None),
])
def test_a_move_buttons_value_is_parsed_strictly(value, expected):
    assert pack_rules.parse_move(value) == expected


def test_a_month_gets_one_pack():
    assert pack_rules.period_problems("2026-12", ["2026-11"]) == []
    assert pack_rules.period_problems("2026-13", []) != []
    assert pack_rules.period_problems("2026-11", ["2026-11"]) == ["2026年11月的培训包已存在，请直接修改"]


def test_the_announcement_links_each_lesson_in_order_and_the_test():
    title, body = pack_rules.announcement_text(
        "2026-12", "2026年12月培训包",
        [pack_rules.Link("终端政策", "/lessons/a"), pack_rules.Link("宽带", "/lessons/b")],
        pack_rules.Link("12月月考", "/quizzes/m/take"))
    assert title == "2026年12月培训包已发布"
    assert body.index("1. [终端政策](/lessons/a)") < body.index("2. [宽带](/lessons/b)")
    assert "本月考试：[12月月考](/quizzes/m/take)" in body


# --- pages ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def december(monkeypatch):
    for target in ("lms.core.clock.utcnow", "lms.courses.views.utcnow", "lms.courses.pack_views.utcnow",
                   "lms.courses.pack_services.utcnow"):
        monkeypatch.setattr(target, lambda: DECEMBER)


def live_lesson(slug: str, title: str, *, category: str = "policy-handset", period: str | None = "2026-12",
                author=None) -> Lesson:
    meta = LessonMeta(title=title, category=category, tags=(), period=period, order=100, summary="", quiz=None,
                      effective=None)
    return services.create_web_lesson(slug=slug, meta=meta, body=f"## {title}\n\n正文。\n", author=author,
                                      publish=True)


@pytest.fixture
def lessons(make_user):
    author = make_user("trainer")
    made = [live_lesson("dec-handset", "12月终端政策", author=author),
            live_lesson("dec-pay", "12月酬金", category="remuneration", author=author),
            live_lesson("b2b-order", "B2B 订货", category="system-b2b-ordering", period=None, author=author),
            live_lesson("nov-handset", "11月终端政策", period="2026-11", author=author)]
    return {lesson.slug: lesson for lesson in made}


def inbox_count(user=None) -> int:
    stmt = select(func.count()).select_from(InboxMessage)
    if user is not None:
        stmt = stmt.where(InboxMessage.user_id == user.id)
    return int(db.session.scalar(stmt))


@pytest.mark.usefixtures("december")
def test_trainer_builds_orders_and_publishes_the_pack_once(client, auth, make_user, lessons, monthly_quiz):
    managers = [make_user("manager", name="东城经理"), make_user("manager", grid="西城网格", name="西城经理")]
    quiz = monthly_quiz("2026-12", title="12月渠道政策月考")
    trainer = make_user("trainer")
    auth.login(trainer)
    created = post_form(client, "/courses/packs/new", {"period": "2026-12"}, token_from="/courses/packs")
    pack = db.session.scalars(select(TrainingPack)).one()
    assert created.headers["Location"].endswith(f"/courses/packs/{pack.id}")
    assert pack.quiz_id == quiz.id  # the month's only monthly test is attached by default
    assert pack.title == "2026年12月培训包"

    ids = [lessons[slug].id for slug in ("dec-handset", "dec-pay", "b2b-order")]  # as the page lists them
    url = f"/courses/packs/{pack.id}"
    saved = post_form(client, url, {"title": "12月培训包", "quiz": quiz.id, "lessons": ids, "action": "save"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert [lesson.slug for lesson in pack.lessons] == ["dec-handset", "dec-pay", "b2b-order"]  # in the page's order
    post_form(client, f"{url}/move", {"move": f"up:{lessons['b2b-order'].id}"}, token_from=url)
    db.session.expire_all()
    assert [lesson.slug for lesson in pack.lessons] == ["dec-handset", "b2b-order", "dec-pay"]
    assert inbox_count() == 0  # nothing announced before publishing

    preview = client.get(f"{url}/preview").get_data(as_text=True)
    assert preview.index("12月终端政策") < preview.index("B2B 订货") < preview.index("12月酬金")
    assert "发布培训包并通知" in preview
    published = post_form(client, f"{url}/publish", {}, token_from=f"{url}/preview", follow_redirects=True)
    assert "培训包已发布" in published.get_data(as_text=True)
    again = post_form(client, f"{url}/publish", {}, token_from=f"{url}/preview", follow_redirects=True)
    assert "已经发布过" in again.get_data(as_text=True)

    announcements = list(db.session.scalars(select(Announcement)))
    assert len(announcements) == 1
    assert announcements[0].lesson_slugs == ["dec-handset", "b2b-order", "dec-pay"]
    assert announcements[0].quiz_id == quiz.id
    assert "[12月终端政策](/lessons/dec-handset)" in announcements[0].body
    for manager in managers:
        assert inbox_count(manager) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == audit_rules.PACK_PUBLISHED)) == 1

    auth.logout()
    auth.login(managers[0])
    home = client.get("/").get_data(as_text=True)
    panel = home[home.index("本月培训包 · 2026年12月"):]
    assert panel.index("12月终端政策") < panel.index("B2B 订货") < panel.index("12月酬金")
    assert "12月渠道政策月考" in panel
    assert "11月终端政策" not in panel


@pytest.mark.usefixtures("december")
def test_the_english_preview_translates_the_page_and_shows_the_announcement_as_it_is_sent(client, auth, make_user,
                                                                                         lessons, monthly_quiz):
    quiz = monthly_quiz("2026-12", title="12月渠道政策月考")
    auth.login(make_user("trainer"))
    post_form(client, "/courses/packs/new", {"period": "2026-12"}, token_from="/courses/packs")
    pack = db.session.scalars(select(TrainingPack)).one()
    url = f"/courses/packs/{pack.id}"
    post_form(client, url, {"title": "12月培训包", "quiz": quiz.id, "lessons": [lessons["dec-handset"].id]})
    html = client.get(f"{url}/preview?lang=en").get_data(as_text=True)
    sent = re.search(r'<div class="pack-announcement user-content" lang="zh-CN">(.*?)</div>\s*</div>', html, re.S)
    assert sent, "the announcement is shown as the author's content"
    assert "本月考试：" in sent.group(1)  # stored and sent in Chinese, so previewed as written
    page = html.replace(sent.group(0), "")
    assert "本月考试：" not in page
    assert "This month's test:" in page  # the managers' view of the pack is interface, translated
    assert "sent exactly as written below" in page


@pytest.mark.usefixtures("december")
def test_after_publishing_a_change_is_recorded_and_announced_again_only_when_asked(client, auth, make_user, lessons):
    manager = make_user("manager")
    trainer = make_user("trainer")
    auth.login(trainer)
    post_form(client, "/courses/packs/new", {"period": "2026-12"}, token_from="/courses/packs")
    pack = db.session.scalars(select(TrainingPack)).one()
    url = f"/courses/packs/{pack.id}"
    post_form(client, url, {"title": "12月培训包", "quiz": 0, "lessons": [lessons["dec-handset"].id]})
    post_form(client, f"{url}/publish", {}, token_from=f"{url}/preview")
    assert inbox_count(manager) == 1

    two = [lessons["dec-handset"].id, lessons["dec-pay"].id]
    post_form(client, url, {"title": "12月培训包", "quiz": 0, "lessons": two})
    assert inbox_count(manager) == 1  # recorded, not announced
    changed = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == audit_rules.PACK_CHANGED)))
    assert len(changed) == 1
    assert changed[0].changes["lessons"] == [["dec-handset"], ["dec-handset", "dec-pay"]]

    post_form(client, url, {"title": "12月培训包", "quiz": 0, "lessons": two, "notify_again": "y"})
    assert inbox_count(manager) == 2
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 2


@pytest.mark.usefixtures("december")
def test_publishing_a_lesson_for_december_leaves_novembers_pack_and_tells_nobody(client, auth, make_user, lessons):
    published_pack("2026-11", ["nov-handset"])
    manager = make_user("manager")
    live_lesson("dec-extra", "12月新增课程", author=make_user("trainer"))
    assert inbox_count() == 0
    auth.login(manager)
    home = client.get("/").get_data(as_text=True)
    assert "最近的培训包 · 2026年11月" in home
    assert "11月终端政策" in home
    assert "12月新增课程" not in home


def test_without_a_published_pack_the_panel_says_so(client, auth, make_user, lessons):
    auth.login(make_user("manager"))
    home = client.get("/").get_data(as_text=True)
    assert "本月培训包尚未发布" in home
    assert 'href="/courses"' in home


@pytest.mark.usefixtures("december")
def test_progress_has_a_month_picker(client, auth, make_user, lessons):
    published_pack("2026-11", ["nov-handset"])
    published_pack("2026-12", ["dec-handset", "dec-pay"])
    manager = make_user("manager", name="东城经理")
    services.mark_studied("nov-handset", manager)
    auth.login(make_user("supervisor", county="城区", grid=None))
    december = client.get("/courses/progress").get_data(as_text=True)
    assert "2026年12月培训包" in december
    assert "0 / 2" in december
    november = client.get("/courses/progress?period=2026-11").get_data(as_text=True)
    assert "2026年11月培训包" in november
    assert "1 / 1" in november
    assert client.get("/courses/progress?period=1999-01").status_code == 200  # an unknown month: the default


def test_bad_input_is_refused_and_writes_nothing(client, auth, make_user, lessons):
    auth.login(make_user("trainer"))
    bad = post_form(client, "/courses/packs/new", {"period": "2026-13"}, token_from="/courses/packs")
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(TrainingPack)) == 0
    post_form(client, "/courses/packs/new", {"period": "2026-12"}, token_from="/courses/packs")
    twice = post_form(client, "/courses/packs/new", {"period": "2026-12"}, token_from="/courses/packs")
    assert twice.status_code == 422
    assert "已存在" in twice.get_data(as_text=True)
    pack = db.session.scalars(select(TrainingPack)).one()
    url = f"/courses/packs/{pack.id}"
    unknown = post_form(client, url, {"title": "x", "quiz": 0, "lessons": [999999]})
    assert unknown.status_code == 422
    no_test = post_form(client, url, {"title": "x", "quiz": 424242, "lessons": [lessons["dec-pay"].id]})
    assert no_test.status_code == 422
    db.session.expire_all()
    assert pack.lessons == []
    empty = post_form(client, f"{url}/publish", {}, token_from=f"{url}/preview", follow_redirects=True)
    assert "请先选择课程" in empty.get_data(as_text=True)
    db.session.expire_all()
    assert pack.status == "draft"
    assert post_form(client, f"{url}/move", {"move": "sideways"}, token_from=url).status_code == 400
    assert client.get("/courses/packs/999999").status_code == 404
    assert inbox_count() == 0


def test_only_trainers_and_admins_build_packs(client, auth, make_user):
    auth.login(make_user("supervisor", county="城区", grid=None))
    assert client.get("/courses/packs").status_code == 403
