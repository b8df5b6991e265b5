"""Recording a visit: scope, the checklist version, photos re-encoded without metadata, tickets routed by category,
a queued visit stored once with its phone time; the checklist editor's versions."""

from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from lms.audit.models import AuditEntry
from lms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from lms.courses import media
from lms.extensions import db
from lms.field import visit_queries, visits
from lms.field.visit_models import Ticket, Visit
from tests.support.images import screenshot_png
from tests.support.visits import GOOD_ANSWERS, add_shop, record, visit_form

NOW = datetime(2026, 12, 5, 2, tzinfo=UTC)


def test_a_visit_keeps_answers_distance_and_photos_without_their_metadata(make_user, tmp_path):
    manager = make_user("manager")
    shop = add_shop(manager)
    visit = record(visit_form(shop), manager, NOW, tmp_path)
    assert visit.checklist_version.number == 1
    assert visit.answers["signboard"] == {"answer": "yes", "fix_by": None}
    assert 100 < visit.distance_m < 120  # 0.001° of latitude
    assert not visit.late_received
    assert visit.counted_at == NOW
    [name] = visit.photos
    with Image.open(media.stored_path(tmp_path, name)) as image:
        assert not image.getexif()  # the phone's GPS position is not kept
    assert visit.tickets == []


def test_problems_become_tickets_routed_by_category(make_user, tmp_path):
    manager = make_user("manager", county="城区", grid="东城网格")
    grid_sup = make_user("supervisor", county="城区", grid="东城网格")
    county_sup = make_user("supervisor", county="城区", grid=None)
    shop = add_shop(manager)
    visit = record(visit_form(shop, problems={"remuneration": "10月开户酬金未到账", "system_ops": "不会在B2B订货",
                                             "after_sales": "送修手机一周无答复"}), manager, NOW, tmp_path)
    routed = {t.category: (t.routed_to, t.routed_user_id, t.due_at - NOW) for t in visit.tickets}
    assert routed == {
        "remuneration": ("county_supervisor", county_sup.id, timedelta(days=7)),
        "system_ops": ("grid_supervisor", grid_sup.id, timedelta(days=3)),
        "after_sales": ("county_supervisor", county_sup.id, timedelta(days=7)),  # no terminal supervisor named
    }


def test_after_sales_goes_to_the_terminal_supervisor_the_settings_name(make_user, tmp_path):
    from lms.field import tickets
    from lms.field.visit_rules import TicketSettings

    manager = make_user("manager")
    terminal = make_user("supervisor", county="城区", grid=None, employee_no="TS001")
    shop = add_shop(manager)
    assert tickets.route("after_sales", shop, TicketSettings(terminal_supervisor="TS001")) == (
        "terminal_supervisor", shop.grid.parent_id, terminal)


def test_a_shop_outside_the_person_s_scope_cannot_be_visited(make_user, tmp_path):
    mine = make_user("manager", grid="东城网格")
    other = make_user("manager", grid="西城网格")
    shop = add_shop(other)
    with pytest.raises(NotFound):
        record(visit_form(shop), mine, NOW, tmp_path)
    with pytest.raises(Forbidden):
        record(visit_form(shop), make_user("trainer"), NOW, tmp_path)


def test_what_is_wrong_is_said_all_at_once(make_user, tmp_path):
    manager = make_user("manager")
    shop = add_shop(manager)
    form = visit_form(shop, answers={**GOOD_ANSWERS, "signboard": "no"}, photos=[visits.Photo(b"%PDF-1", "a.pdf")])
    with pytest.raises(ValidationFailed) as caught:
        record(form, manager, NOW, tmp_path)
    assert caught.value.problems == ["“门头是否达标”未达标，请填写整改日期", "a.pdf：请上传照片（JPG、PNG、WebP）"]
    assert db.session.scalar(select(func.count(Visit.id))) == 0


def test_a_queued_visit_is_flagged_counted_on_the_phone_s_time_and_stored_once(make_user, tmp_path):
    manager = make_user("manager")
    shop = add_shop(manager)
    device_at = NOW - timedelta(hours=3)
    form = visit_form(shop, device_at=device_at, client_key="k1", problems={"system_ops": "工号被锁"})
    first = record(form, manager, NOW, tmp_path)
    again = record(form, manager, NOW + timedelta(minutes=1), tmp_path)
    assert again.id == first.id
    assert first.late_received
    assert first.counted_at == device_at
    assert first.at == NOW
    assert db.session.scalar(select(func.count(Ticket.id))) == 1


def test_shops_are_offered_nearest_first_and_those_without_coordinates_after(make_user):
    manager = make_user("manager")
    far = add_shop(manager, code="F", name="甲远店", latitude=30.05)
    near = add_shop(manager, code="N", name="乙近店", latitude=30.001)
    nowhere = add_shop(manager, code="X", name="丙无坐标", latitude=None, longitude=None)
    choices = visit_queries.shops_to_visit(manager, 30.0, 120.0)
    assert [c.shop.id for c in choices] == [near.id, far.id, nowhere.id]
    assert choices[2].distance_m is None


def test_each_checklist_save_is_a_new_audited_version_and_old_visits_keep_theirs(make_user, tmp_path):
    trainer = make_user("trainer")
    manager = make_user("manager")
    shop = add_shop(manager)
    old = record(visit_form(shop), manager, NOW, tmp_path)
    items = [*visit_queries.checklist_in_force().items, {"key": "price_tags", "label": "明码标价", "bad": "no"}]
    version = visits.save_checklist(items, actor=trainer, now=NOW)
    assert version.number == 2
    assert visit_queries.checklist_in_force().id == version.id
    assert old.checklist_version.number == 1
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "field.checklist_saved"
    with pytest.raises(Conflict):
        visits.save_checklist(items, actor=trainer, now=NOW)
    with pytest.raises(Forbidden):
        visits.save_checklist(items, actor=manager, now=NOW)
    with pytest.raises(ValidationFailed):  # the form still shows version 1: the new item is missing
        record(visit_form(shop, checklist_version=2), manager, NOW, tmp_path)


def test_a_photo_too_wide_is_scaled_down(make_user, tmp_path):
    manager = make_user("manager")
    shop = add_shop(manager)
    visit = record(visit_form(shop, photos=[visits.Photo(screenshot_png(3000), "wide.png")]), manager, NOW, tmp_path)
    with Image.open(media.stored_path(tmp_path, visit.photos[0])) as image:
        assert image.width == 1600
