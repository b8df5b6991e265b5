"""Training sessions (R6): trainers schedule 集中/片区/点对点 sessions, mark attendance; managers see theirs;
supervisors see the attendance of their own unit only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms.core.errors import ValidationFailed
from lms.courses import services
from lms.courses.models import TrainingSession
from lms.extensions import db
from tests.support.web import post_form


@pytest.fixture
def people(make_user):
    return {
        "trainer": make_user("trainer", name="李培训"),
        "east": make_user("manager", county="城区", grid="东城网格", name="东城经理", employee_no="M001"),
        "west": make_user("manager", county="城区", grid="西城网格", name="西城经理", employee_no="M002"),
        "rural": make_user("manager", county="郊县", grid="南镇网格", name="南镇经理", employee_no="M003"),
        "city_sup": make_user("supervisor", county="城区", grid=None, name="城区主管"),
        "rural_sup": make_user("supervisor", county="郊县", grid=None, name="郊县主管"),
    }


def test_trainer_schedules_a_session_through_the_page(client, auth, people, write_lesson, sync):
    write_lesson("b2b.md", title="终端订货系统操作", category="system-b2b-ordering")
    sync()
    county = people["east"].county
    auth.login(people["trainer"])
    response = post_form(client, "/training/new", {
        "title": "城区B2B系统片区培训", "mode": "area", "day": "2026-12-02", "starts": "09:30", "ends": "11:30",
        "place": "城区营业部三楼会议室", "county": str(county.id), "lessons": ["b2b"],
        "units": [str(county.id)], "employee_nos": "M003", "notes": "请带笔记本电脑",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    session = db.session.scalar(select(TrainingSession))
    assert session.mode == "area"
    assert session.starts_at == datetime(2026, 12, 2, 1, 30, tzinfo=UTC)  # 09:30 Beijing time
    assert sorted(i.user.employee_no for i in session.invitations) == ["M001", "M002", "M003"]
    assert [lesson.slug for lesson in session.lessons] == ["b2b"]
    page = client.get(f"/training/{session.id}").get_data(as_text=True)
    assert "片区培训" in page
    assert "2026-12-02 09:30" in page


def test_unknown_employee_numbers_are_refused_and_nothing_is_saved(client, auth, people):
    auth.login(people["trainer"])
    response = post_form(client, "/training/new", {
        "title": "点对点培训", "mode": "point", "day": "2026-12-02", "starts": "09:30", "place": "南镇",
        "county": "0", "employee_nos": "M003, NOBODY",
    })
    assert response.status_code == 422
    assert "工号 NOBODY 不存在或已停用" in response.get_data(as_text=True)
    assert db.session.scalar(select(TrainingSession)) is None


def make_session(people, mode="centralized"):
    return services.create_training_session(
        title="11月集中培训", mode=mode, starts_at=datetime(2026, 11, 5, 1, 0, tzinfo=UTC), place="分公司大会议室",
        created_by=people["trainer"], invitee_ids=[people[k].id for k in ("east", "west", "rural")])


def test_attendance_is_marked_and_supervisors_see_only_their_unit(client, auth, people):
    session = make_session(people)
    auth.login(people["trainer"])
    response = post_form(client, f"/training/{session.id}/attendance", {
        f"attendance-{people['east'].id}": "present", f"attendance-{people['west'].id}": "absent",
        f"attendance-{people['rural'].id}": "excused"}, token_from=f"/training/{session.id}")
    assert response.status_code == 302
    auth.logout()

    auth.login(people["city_sup"])
    page = client.get(f"/training/{session.id}").get_data(as_text=True)
    assert "东城经理" in page
    assert "西城经理" in page
    assert "南镇经理" not in page
    assert "出席 1 · 缺席 1 · 请假 0" in page
    auth.logout()

    auth.login(people["rural"])
    mine = client.get("/training").get_data(as_text=True)
    assert "11月集中培训" in mine
    page = client.get(f"/training/{session.id}").get_data(as_text=True)
    assert "南镇经理" in page
    assert "东城经理" not in page
    assert "请假" in page


def test_a_session_that_invites_nobody_of_yours_is_not_shown(client, auth, people):
    session = services.create_training_session(
        title="郊县点对点", mode="point", starts_at=datetime(2026, 11, 20, 1, tzinfo=UTC), place="南镇营业部",
        created_by=people["trainer"], invitee_ids=[people["rural"].id])
    auth.login(people["city_sup"])
    assert "郊县点对点" not in client.get("/training").get_data(as_text=True)
    assert client.get(f"/training/{session.id}").status_code == 404


def test_create_training_session_rejects_bad_input_listing_every_problem(people):
    with pytest.raises(ValidationFailed) as caught:
        services.create_training_session(
            title="", mode="online", starts_at=datetime(2026, 11, 5, 2, tzinfo=UTC),
            ends_at=datetime(2026, 11, 5, 1, tzinfo=UTC), place="", created_by=people["trainer"],
            invitee_ids=[999999], lesson_slugs=["missing"])
    problems = "\n".join(caught.value.problems)
    for expected in ("标题不能为空", "培训方式“online”无效", "地点不能为空", "结束时间必须晚于开始时间",
                     "1 位受邀人员不存在", "课程“missing”不存在"):
        assert expected in problems
    assert db.session.scalar(select(TrainingSession)) is None


def test_managers_cannot_schedule_or_mark(client, auth, people):
    session = make_session(people)
    auth.login(people["east"])
    assert client.get("/training/new").status_code == 403
    response = post_form(client, f"/training/{session.id}/attendance",
                         {f"attendance-{people['east'].id}": "present"}, token_from="/training")
    assert response.status_code == 403


def test_cancelled_sessions_refuse_attendance(people):
    session = make_session(people)
    services.cancel_training_session(session, people["trainer"])
    with pytest.raises(Exception, match="已取消"):
        services.mark_attendance(session, {people["east"].id: "present"}, people["trainer"])
