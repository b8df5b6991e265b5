"""Sessions scheduled, edited and cancelled by their manager (own shops only, before the start, audited), the
check-in inside the window (per shop, several staff, walk-ins), and who sees which session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.audit.models import AuditEntry
from lms.core.clock import utcnow
from lms.core.errors import Conflict, NotFound, ValidationFailed
from lms.extensions import db
from lms.outreach import queries, session_queries, session_rules
from lms.outreach import session_services as services
from lms.outreach.session_models import ShopSession, ShopSessionCheckin
from tests.outreach.session_support import SETTINGS, draft, schedule
from tests.outreach.support import shop_world
from tests.support.visits import add_shop


@pytest.fixture
def world(app, make_user):
    with app.test_request_context():
        yield shop_world(make_user)


def _actions():
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def _sessions():
    return db.session.scalar(select(func.count()).select_from(ShopSession))


def test_a_manager_schedules_a_session_for_their_shops_with_lessons_of_the_pack(world):
    pack = queries.shop_pack(world.period)
    session = schedule(world, lesson_ids=tuple(item.lesson.id for item in pack))
    assert [shop.code for shop in session.shops] == ["S001", "S002"]
    assert {lesson.slug for lesson in session.lessons} == {"shop-subsidy", "shop-realname"}
    assert session.manager_id == world.manager.id
    assert len(session.nonce) >= 16
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "shop_session.scheduled"
    assert entry.changes["shops"] == ["S001", "S002"]
    assert entry.changes["session_kind"] == "area"
    assert entry.actor_id == world.manager.id


@pytest.mark.parametrize(("changes", "problem"), [
    ({"shop_ids": "other"}, "只能邀请自己负责的渠道"),
    ({"lesson_ids": "old"}, "培训内容只能从本月门店学习包中选择"),
    ({"lesson_ids": "manager"}, "培训内容只能从本月门店学习包中选择"),
    ({"title": ""}, "请填写培训主题（最多 100 个字）"),
])
def test_a_refused_schedule_writes_nothing_and_says_why(world, changes, problem):
    from lms.courses.models import Lesson

    slugs = {"old": "shop-old", "manager": "manager-commission"}
    if changes.get("shop_ids") == "other":
        changes = {"shop_ids": (world.shops[0].id, world.other_shop.id)}
    elif "lesson_ids" in changes:
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == slugs[changes["lesson_ids"]]))
        changes = {"lesson_ids": (lesson.id,)}
    before = _actions()
    with pytest.raises(ValidationFailed) as refused:
        services.schedule_session(world.manager, draft(world, **changes))
    assert problem in refused.value.problems
    assert _sessions() == 0
    assert _actions() == before


def test_a_closed_shop_is_not_invited(world):
    world.shops[1].active = False
    db.session.commit()
    with pytest.raises(ValidationFailed):
        services.schedule_session(world.manager, draft(world))


def test_point_to_point_is_at_its_one_shop(world):
    shop = world.shops[0]
    shop.address = "东城路 1 号"
    db.session.commit()
    session = services.schedule_session(world.manager, draft(world, kind=session_rules.POINT, place="",
                                                             shop_ids=(shop.id,)))
    assert session.place == "东城手机店 东城路 1 号"
    assert session.kind_label == "点对点培训"


def test_only_a_manager_schedules(world, make_user):
    with pytest.raises(NotFound):
        services.schedule_session(make_user("supervisor"), draft(world))


def test_an_edit_before_the_start_is_audited_with_what_changed(world):
    session = schedule(world)
    later = session.starts_at + timedelta(hours=1)
    services.edit_session(session.id, world.manager,
                          draft(world, starts=later, place="西城营业厅", shop_ids=(world.shops[1].id,)))
    assert session.place == "西城营业厅"
    assert [shop.code for shop in session.shops] == ["S002"]
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "shop_session.edited"
    assert entry.changes["place"] == ["东城营业厅二楼会议室", "西城营业厅"]
    assert entry.changes["shops"] == [["S001", "S002"], ["S002"]]
    assert set(entry.changes) == {"place", "shops", "starts_at", "ends_at"}
    before = _actions()
    services.edit_session(session.id, world.manager, draft(world, starts=later, place="西城营业厅",
                                                           shop_ids=(world.shops[1].id,)))
    assert _actions() == before  # nothing changed: nothing to audit


def test_an_edit_or_cancel_after_the_start_or_by_another_is_refused(world):
    started = schedule(world, starts_in=timedelta(minutes=-5))
    with pytest.raises(Conflict):
        services.edit_session(started.id, world.manager, draft(world))
    with pytest.raises(Conflict):
        services.cancel_session(started.id, world.manager, "下雨")
    upcoming = schedule(world)
    with pytest.raises(NotFound):
        services.edit_session(upcoming.id, world.other_manager, draft(world))
    with pytest.raises(NotFound):
        services.cancel_session(upcoming.id, world.other_manager, "不是我的")


def test_cancel_needs_a_reason_is_audited_and_closes_the_check_in(world):
    session = schedule(world, starts_in=timedelta(minutes=10))
    with pytest.raises(ValidationFailed):
        services.cancel_session(session.id, world.manager, "  ")
    assert session.cancelled_at is None
    services.cancel_session(session.id, world.manager, " 门店临时停电 ")
    assert session.cancel_reason == "门店临时停电"
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.reason) == ("shop_session.cancelled", "门店临时停电")
    with pytest.raises(services.CheckinRefused) as refused:
        services.check_in(session, shop_id=world.shops[0].id, shop_code=None, name="张三", phone=None,
                          settings=SETTINGS)
    assert refused.value.state == session_rules.CANCELLED
    with pytest.raises(Conflict):
        services.edit_session(session.id, world.manager, draft(world))


@pytest.mark.parametrize(("starts_in", "state"), [
    (timedelta(minutes=31), session_rules.NOT_YET),
    (timedelta(hours=-4, minutes=-1), session_rules.CLOSED),  # two hours long, closed two hours after its end
])
def test_a_check_in_outside_the_window_is_refused_with_the_window(world, starts_in, state):
    session = schedule(world, starts_in=starts_in)
    with pytest.raises(services.CheckinRefused) as refused:
        services.check_in(session, shop_id=world.shops[0].id, shop_code=None, name="张三", phone=None,
                          settings=SETTINGS)
    assert refused.value.state == state
    assert refused.value.window.opens_at == session.starts_at - timedelta(minutes=30)
    assert db.session.scalar(select(func.count()).select_from(ShopSessionCheckin)) == 0


def test_several_staff_of_one_shop_are_one_shop_attended(world):
    session = schedule(world, starts_in=timedelta(minutes=10))
    first = services.check_in(session, shop_id=world.shops[0].id, shop_code=None, name=" 张三 ",
                              phone="13800000000", settings=SETTINGS)
    again = services.check_in(session, shop_id=world.shops[0].id, shop_code=None, name="张三", phone=None,
                              settings=SETTINGS)
    services.check_in(session, shop_id=world.shops[0].id, shop_code=None, name="李四", phone=None, settings=SETTINGS)
    assert again.id == first.id  # a double tap is the same check-in
    rows = session_queries.attendance(session, world.manager)
    assert [(row.shop.code, row.invited, row.attended) for row in rows] == [("S001", True, True),
                                                                             ("S002", True, False)]
    assert [c.staff_name for c in rows[0].checkins] == ["张三", "李四"]
    assert rows[0].checkins[0].staff_phone == "13800000000"
    assert session_queries.attended_shop_counts([session]) == {session.id: 1}
    assert session_queries.sessions_attended([world.shops[0].id, world.shops[1].id]) == {world.shops[0].id: 1}


def test_a_walk_in_shop_of_the_same_manager_checks_in_as_not_invited(world):
    session = schedule(world, starts_in=timedelta(minutes=10), shop_ids=(world.shops[0].id,))
    walk_in = services.check_in(session, shop_id=None, shop_code=" S002 ", name="王五", phone=None,
                                settings=SETTINGS)
    assert (walk_in.shop_id, walk_in.invited) == (world.shops[1].id, False)
    by_id = services.check_in(session, shop_id=world.shops[1].id, shop_code=None, name="赵六", phone=None,
                              settings=SETTINGS)
    assert by_id.invited is False
    rows = session_queries.attendance(session, world.manager)
    assert [(row.shop.code, row.invited) for row in rows] == [("S001", True), ("S002", False)]


@pytest.mark.parametrize("case", [
    ("other", None, "张三", None, "没有找到这个门店（只有本场培训的渠道经理负责的门店可以签到）"),
    (None, "S900", "张三", None, "没有找到这个门店（只有本场培训的渠道经理负责的门店可以签到）"),
    (None, None, "张三", None, "请选择门店；不在名单中的门店请填写渠道编码"),
    ("mine", None, " ", None, "请填写签到人姓名（最多 50 个字）"),
    ("mine", None, "张三", "call me", "手机号码格式不正确"),
])
def test_a_check_in_that_cannot_be_recorded_says_why(world, case):
    shop, code, name, phone, problem = case
    session = schedule(world, starts_in=timedelta(minutes=10))
    shop_id = {"other": world.other_shop.id, "mine": world.shops[0].id, None: None}[shop]
    with pytest.raises(ValidationFailed) as refused:
        services.check_in(session, shop_id=shop_id, shop_code=code, name=name, phone=phone, settings=SETTINGS)
    assert refused.value.problems == [problem]
    assert db.session.scalar(select(func.count()).select_from(ShopSessionCheckin)) == 0


def test_the_manager_takes_back_a_wrong_check_in_audited(world):
    session = schedule(world, starts_in=timedelta(minutes=10))
    wrong = services.check_in(session, shop_id=world.shops[1].id, shop_code=None, name="张三", phone=None,
                              settings=SETTINGS)
    with pytest.raises(NotFound):
        services.remove_checkin(session.id, wrong.id, world.other_manager)
    services.remove_checkin(session.id, wrong.id, world.manager)
    assert db.session.get(ShopSessionCheckin, wrong.id) is None
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "shop_session.checkin_removed"
    assert entry.changes["shop"] == "S002"
    assert entry.changes["name"] == "张三"
    with pytest.raises(NotFound):
        services.remove_checkin(session.id, wrong.id, world.manager)


def test_who_sees_which_session(world, make_user):
    mine = schedule(world)
    theirs = services.schedule_session(world.other_manager, draft(world, shop_ids=(world.other_shop.id,)))
    now = utcnow()
    assert [s.id for s in session_queries.sessions_for(world.manager, now).upcoming] == [mine.id]
    assert session_queries.session_for(world.manager, theirs.id) is None
    grid = make_user("supervisor", county="城区", grid="东城网格")
    county = make_user("supervisor", county="城区", grid=None)
    elsewhere = make_user("supervisor", county="郊县", grid="北山网格")
    admin = make_user("admin")
    for viewer in (grid, county, admin):
        assert {s.id for s in session_queries.sessions_for(viewer, now).upcoming} == {mine.id, theirs.id}
    assert session_queries.sessions_for(elsewhere, now).upcoming == []
    assert session_queries.session_for(elsewhere, mine.id) is None
    assert not session_queries.can_manage(grid, mine)


def test_a_supervisor_sees_only_the_shops_of_their_scope(world, make_user):
    far_manager = make_user("manager", county="城区", grid="西城网格")
    far_shop = add_shop(far_manager, code="S500", name="西城小店")
    far_shop.manager_id = world.manager.id  # the manager looks after a shop of the next grid too
    db.session.commit()
    session = schedule(world, shop_ids=(world.shops[0].id, far_shop.id))
    grid = make_user("supervisor", county="城区", grid="东城网格")
    assert [row.shop.code for row in session_queries.attendance(session, grid)] == ["S001"]
    assert [row.shop.code for row in session_queries.attendance(session, world.manager)] == ["S001", "S500"]


def test_past_and_cancelled_sessions_are_listed_apart(world):
    upcoming = schedule(world)
    ended = schedule(world, starts_in=timedelta(hours=-5))
    cancelled = schedule(world, starts_in=timedelta(days=2))
    services.cancel_session(cancelled.id, world.manager, "改期")
    lists = session_queries.sessions_for(world.manager, utcnow())
    assert [s.id for s in lists.upcoming] == [upcoming.id]
    assert [s.id for s in lists.past] == [cancelled.id, ended.id]  # latest first
