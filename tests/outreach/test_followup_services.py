"""Staff contacts kept by the shop's own manager (seen by their supervisors, nobody else) and reminders recorded
per shop and month for the shops whose month is not done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.audit.models import AuditEntry
from lms.core.clock import utcnow
from lms.core.errors import NotFound, ValidationFailed
from lms.extensions import db
from lms.outreach import contacts, queries, reminder_rules, reminders, services
from lms.outreach.followup_models import ShopContact, ShopReminder
from tests.outreach.support import RIGHT, shop_world


@pytest.fixture
def world(app, make_user):
    with app.test_request_context():
        yield shop_world(make_user)


def _audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_the_manager_adds_and_removes_contacts_of_their_own_shop(world):
    shop = world.shops[0]
    before = _audit_count()
    keeper = contacts.add_contact(shop.id, world.manager, name=" 张 三 ", phone="138 0013 8000", role="shopkeeper")
    contacts.add_contact(shop.id, world.manager, name="李四", phone="13900139000", role="clerk")
    assert (keeper.name, keeper.phone, keeper.role, keeper.created_by_id) == ("张 三", "13800138000", "shopkeeper",
                                                                              world.manager.id)
    listed = contacts.contacts_of([shop.id, world.shops[1].id])
    assert [c.name for c in listed[shop.id]] == ["张 三", "李四"]  # the shop keeper first
    assert listed[world.shops[1].id] == []
    assert sorted(contacts.staff_names(shop.id)) == ["张 三", "李四"]
    assert contacts.remove_contact(shop.id, keeper.id, world.manager)
    assert not contacts.remove_contact(shop.id, keeper.id, world.manager)  # already gone: no error
    assert db.session.get(ShopContact, keeper.id) is None  # deleted, not kept
    assert _audit_count() == before  # daily work, not an administrative act


def test_a_contact_is_refused_with_every_problem_and_nothing_written(world):
    shop = world.shops[0]
    with pytest.raises(ValidationFailed) as refused:
        contacts.add_contact(shop.id, world.manager, name="", phone="12345", role="boss")
    assert len(refused.value.problems) == 3
    contacts.add_contact(shop.id, world.manager, name="张三", phone="13800138000", role="clerk")
    with pytest.raises(ValidationFailed) as duplicate:
        contacts.add_contact(shop.id, world.manager, name="张三丰", phone="+86 138-0013-8000", role="clerk")
    assert duplicate.value.problems == ["这个号码已在本店的联系人中"]
    assert db.session.scalar(select(func.count()).select_from(ShopContact)) == 1


def test_a_shop_keeps_at_most_twenty_contacts(world):
    shop = world.shops[0]
    for number in range(20):
        contacts.add_contact(shop.id, world.manager, name=f"店员{number}", phone=f"138{number:08d}", role="clerk")
    with pytest.raises(ValidationFailed) as refused:
        contacts.add_contact(shop.id, world.manager, name="又一位", phone="13999999999", role="clerk")
    assert refused.value.problems == ["每个渠道最多 20 位联系人"]


def test_only_the_shops_own_manager_edits_its_contacts(world, make_user):
    other = contacts.add_contact(world.other_shop.id, world.other_manager, name="王五", phone="13700137000",
                                 role="clerk")
    with pytest.raises(NotFound):
        contacts.add_contact(world.other_shop.id, world.manager, name="张三", phone="13800138000", role="clerk")
    with pytest.raises(NotFound):
        contacts.remove_contact(world.other_shop.id, other.id, world.manager)
    assert not contacts.remove_contact(world.shops[0].id, other.id, world.manager)  # another shop's, via one's own
    assert db.session.get(ShopContact, other.id) is not None
    supervisor = make_user("supervisor", county="城区", grid="东城网格")
    with pytest.raises(NotFound):
        contacts.add_contact(world.shops[0].id, supervisor, name="张三", phone="13800138000", role="clerk")


def test_who_sees_a_shops_contacts(world, make_user):
    shop = world.shops[0]
    grid = make_user("supervisor", county="城区", grid="东城网格")
    other_grid = make_user("supervisor", county="城区", grid="西城网格")
    other_county = make_user("supervisor", county="郊县", grid=None)
    county = make_user("supervisor", county="城区", grid=None)
    city = make_user("supervisor", county=None, grid=None)
    assert contacts.can_see_contacts(world.manager, shop)
    assert not contacts.can_see_contacts(world.other_manager, shop)
    assert contacts.can_see_contacts(grid, shop)
    assert contacts.can_see_contacts(county, shop)
    assert contacts.can_see_contacts(city, shop)
    assert not contacts.can_see_contacts(other_grid, shop)
    assert not contacts.can_see_contacts(other_county, shop)
    assert not contacts.can_see_contacts(world.trainer, shop)
    assert not contacts.can_see_contacts(make_user("admin"), shop)  # personal data: the manager's and supervisors'


def _pending(world):
    rows = queries.shop_rows(world.manager, world.period, utcnow())
    return {item.row.shop.id: item.stage
            for item in reminders.pending_shops(rows, world.period, has_check=reminders.month_has_check(world.period))}


def test_the_shops_to_remind_are_those_not_done_at_their_stage(world):
    from lms.outreach import queries as outreach_queries

    east, west = world.shops
    assert _pending(world) == {east.id: reminder_rules.NOT_OPENED, west.id: reminder_rules.NOT_OPENED}
    link = services.make_link(east.id, world.manager, days=90)
    services.record_open(link, world.period)
    assert _pending(world)[east.id] == reminder_rules.NOT_READ
    services.confirm_read(link, world.period, name="张三", phone=None)
    assert _pending(world)[east.id] == reminder_rules.NOT_PASSED
    questions = outreach_queries.check_questions(outreach_queries.shop_pack(world.period))
    services.record_check(link, world.period, questions, {q["id"]: RIGHT[q["type"]] for q in questions})
    assert _pending(world) == {west.id: reminder_rules.NOT_OPENED}


def test_reminders_are_counted_per_shop_and_month_and_not_audited(world):
    east, west = world.shops
    before = _audit_count()
    now = utcnow()
    first = reminders.record_reminders(world.manager, world.period, [east.id], now=now)
    assert [(r.shop_id, r.count) for r in first] == [(east.id, 1)]
    later = now + timedelta(days=2)
    everyone = reminders.record_reminders(world.manager, world.period, now=later)
    assert sorted((r.shop_id, r.count) for r in everyone) == sorted([(east.id, 2), (west.id, 1)])
    row = db.session.scalar(select(ShopReminder).where(ShopReminder.shop_id == east.id))
    assert row.period == world.period
    assert row.first_reminded_at == now
    assert row.reminded_at == later
    assert row.reminded_by_id == world.manager.id
    assert reminders.reminders_of([east.id], "2001-01") == {}  # another month starts again
    assert _audit_count() == before


def test_a_done_shop_or_another_managers_is_never_recorded_as_reminded(world):
    east = world.shops[0]
    link = services.make_link(east.id, world.manager, days=90)
    services.confirm_read(link, world.period, name="张三", phone=None)
    questions = queries.check_questions(queries.shop_pack(world.period))
    services.record_check(link, world.period, questions, {q["id"]: RIGHT[q["type"]] for q in questions})
    assert reminders.record_reminders(world.manager, world.period, [east.id, world.other_shop.id]) == []
    assert db.session.scalar(select(func.count()).select_from(ShopReminder)) == 0
