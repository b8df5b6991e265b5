"""The check-in, visit, ticket and shop-coverage process indicators computed from the field's (and the shops')
own records by the monthly close: each manager's share times the indicator's points, written beside the daily report
rate and ranked; the shop coverage read for all managers in the same statements."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from lms.assessment import services
from lms.assessment.models import Indicator
from lms.extensions import db
from lms.field import indicator_rules, indicators
from lms.field.checkin_models import CheckIn
from lms.field.models import Shop
from lms.field.visit_models import Ticket, Visit
from lms.field.visit_queries import checklist_in_force
from lms.outreach.models import ShopReading
from tests.outreach.support import lesson
from tests.support.databases import statements_run
from tests.support.web import post_form

# The close runs once November is over: its process indicators measure the whole month (a close run earlier
# measures up to its own day: tests/field/test_daily_services.py).
MONTH_OVER = datetime(2026, 12, 1, 2, tzinfo=UTC)

NOVEMBER = indicator_rules.working_days("2026-11")  # 21 working days


def checkins(person, days, **flags):
    db.session.add_all(CheckIn(user_id=person.id, slot=slot, day=day, at=datetime(day.year, day.month, day.day, 0,
                                                                                   tzinfo=UTC),
                               idempotency_key=f"{person.id}-{day}-{slot}", **flags)
                       for day in days for slot in ("morning", "evening"))


def visits(person, shop, count):
    version = checklist_in_force()
    for n in range(count):
        at = datetime(2026, 11, 2, 2, tzinfo=UTC) + timedelta(days=n)
        db.session.add(Visit(user_id=person.id, shop_id=shop.id, checklist_version_id=version.id, answers={},
                             at=at, counted_at=at, photos=[]))


def ticket(person, shop, *, due, answered=None):
    db.session.add(Ticket(shop_id=shop.id, raised_by_id=person.id, category="system_ops", description="不会在B2B订货",
                          routed_to="grid_supervisor", raised_at=due - timedelta(days=3), due_at=due,
                          answered_at=answered))


def test_close_month_writes_the_check_in_visit_and_ticket_indicators(managers, monthly_quiz, take):
    keen, lax = managers(2)
    take(monthly_quiz("2026-11"), {keen: 90, lax: 90})
    shops = {}
    for person in (keen, lax):
        shops[person] = Shop(code=f"S{person.id}", name="门店", kind="village", star=2, manager_id=person.id,
                             grid_id=person.grid_id)  # a village shop: once a week, 4 a month
        db.session.add(shops[person])
    db.session.flush()
    checkins(keen, NOVEMBER)
    checkins(lax, NOVEMBER[:7], late=True)  # checked in, but late: not compliant
    visits(keen, shops[keen], 4)
    visits(lax, shops[lax], 2)
    due = datetime(2026, 11, 20, tzinfo=UTC)
    ticket(keen, shops[keen], due=due, answered=due - timedelta(days=1))
    ticket(keen, shops[keen], due=due, answered=due + timedelta(days=2))  # answered after its due date
    db.session.commit()

    services.close_month("2026-11", now=MONTH_OVER)

    found = {(i.user_id, i.name): i.points for i in db.session.scalars(select(Indicator).where(
        Indicator.period == "2026-11"))}
    assert found[(keen.id, "过程·签到率")] == 5.0
    assert found[(lax.id, "过程·签到率")] == 0.0
    assert found[(keen.id, "过程·拜访达标率")] == 5.0
    assert found[(lax.id, "过程·拜访达标率")] == 2.5
    assert found[(keen.id, "过程·工单及时办结率")] == 2.5
    assert (lax.id, "过程·工单及时办结率") not in found  # no ticket fell due: nothing to measure, no row


# --- 门店学习覆盖率: the shops of the manager's that confirmed reading the month's shop pack -------------------------

def shop(person, code, *, added=datetime(2026, 10, 1, tzinfo=UTC), active=True):
    found = Shop(code=code, name=f"{code}店", kind="terminal", star=3, manager_id=person.id, grid_id=person.grid_id,
                 active=active, created_at=added)
    db.session.add(found)
    db.session.flush()
    return found


def confirmed(found, period="2026-11", *, read=True):
    at = datetime(2026, 11, 10, 2, tzinfo=UTC)
    db.session.add(ShopReading(shop_id=found.id, period=period, opened_at=at, last_opened_at=at, opens=1,
                               confirmed_at=at if read else None, staff_name="张三" if read else None))


def november_pack(make_user):
    lesson(make_user("trainer"), "shop-november", "十一月门店政策", period="2026-11")


def test_the_close_writes_each_manager_s_shop_coverage(managers, monthly_quiz, take, make_user):
    november_pack(make_user)
    keen, idle, shopless = managers(3)
    take(monthly_quiz("2026-11"), {keen: 90, idle: 90, shopless: 90})
    due = [shop(keen, f"K{n}") for n in range(4)]
    for found in due[:3]:
        confirmed(found)
    confirmed(shop(keen, "K-closed", active=False))  # closed: not due, its confirmation not counted
    shop(keen, "K-new", added=datetime(2026, 12, 2, tzinfo=UTC))  # added after November: not due
    confirmed(due[3], period="2026-10")  # October's confirmation is not November's
    opened_only = shop(idle, "I1")
    confirmed(opened_only, read=False)  # opened, never confirmed
    shop(idle, "I2")
    db.session.commit()

    services.close_month("2026-11", now=MONTH_OVER)

    found = {(i.user_id, i.name): i.points for i in db.session.scalars(select(Indicator).where(
        Indicator.period == "2026-11", Indicator.name == "过程·门店学习覆盖率"))}
    assert found == {(keen.id, "过程·门店学习覆盖率"): 3.75, (idle.id, "过程·门店学习覆盖率"): 0.0}
    # the manager with no shop had nothing due: no row, as the visits indicator leaves them out


def test_a_month_without_a_shop_pack_writes_no_coverage_row(managers, monthly_quiz, take):
    (person,) = managers(1)
    take(monthly_quiz("2026-11"), {person: 90})
    shop(person, "P1")
    db.session.commit()
    services.close_month("2026-11", now=MONTH_OVER)
    names = set(db.session.scalars(select(Indicator.name).where(Indicator.user_id == person.id)))
    assert "过程·门店学习覆盖率" not in names
    assert "过程·拜访达标率" in names  # the other indicators as before


def test_the_coverage_provider_reads_all_managers_in_the_same_statements(app, managers, make_user):
    november_pack(make_user)
    provider = indicators.providers()[indicator_rules.SHOP_COVERAGE]
    until = date(2026, 11, 30)

    def measured(count):
        people = managers(count)
        for person in people:
            confirmed(shop(person, f"C{person.id}"))
            shop(person, f"D{person.id}")
        db.session.commit()
        ids = [p.id for p in people]
        with statements_run() as statements:
            shares = provider(ids, "2026-11", until)
        assert shares == dict.fromkeys(ids, 0.5)
        return len(statements)

    assert measured(2) == measured(25)


def test_the_close_preview_and_the_weights_page_show_the_shop_coverage(auth, managers, monthly_quiz, take, make_user):
    november_pack(make_user)
    (person,) = managers(1)
    take(monthly_quiz("2026-11"), {person: 90})
    confirmed(shop(person, "P1"))
    shop(person, "P2")
    db.session.commit()
    admin = make_user("admin")
    auth.login(admin)
    preview = auth.client.get("/assessment/2026-11/preview").get_data(as_text=True)
    assert "过程·门店学习覆盖率 2.5" in preview
    weights = auth.client.get("/field/indicator-weights").get_data(as_text=True)
    assert 'name="shop_coverage"' in weights
    assert "门店学习覆盖率" in weights
    post_form(auth.client, "/field/indicator-weights", {"county_id": "0", "shop_coverage": "10"},
              token_from="/field/indicator-weights")
    assert indicators.weights_for(person.county_id)[indicator_rules.SHOP_COVERAGE] == 10.0
    services.close_month("2026-11", now=MONTH_OVER)
    assert db.session.scalar(select(Indicator.points).where(Indicator.name == "过程·门店学习覆盖率")) == 5.0
