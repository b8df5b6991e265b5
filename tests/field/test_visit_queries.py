"""Visit compliance per manager and month: each shop's required visits against those made, the overall share."""

from datetime import UTC, datetime, timedelta

import pytest

from lms.field.visit_queries import visit_compliance
from tests.support.visits import add_shop, record, visit_form

DEC = datetime(2026, 12, 3, 2, tzinfo=UTC)


def test_required_visits_per_shop_against_those_made_in_the_month(make_user, tmp_path):
    manager = make_user("manager")
    terminal = add_shop(manager, code="T", kind="terminal", star=3)  # 3 a week → 12 in December
    village = add_shop(manager, code="V", kind="village", star=2)  # 1 a week → 4
    for day in range(5):
        record(visit_form(terminal), manager, DEC + timedelta(days=day), tmp_path)
    for day in range(6):
        record(visit_form(village), manager, DEC + timedelta(days=day), tmp_path)
    record(visit_form(terminal), manager, datetime(2026, 11, 30, 15, tzinfo=UTC), tmp_path)  # 23:00 local: November
    result = visit_compliance(manager.id, "2026-12")
    assert {(s.shop.code, s.required, s.done) for s in result.shops} == {("T", 12, 5), ("V", 4, 6)}
    assert (result.required, result.done) == (16, 9)
    assert result.share == pytest.approx(9 / 16)


def test_a_visit_queued_offline_counts_in_the_month_it_was_made(make_user, tmp_path):
    manager = make_user("manager")
    shop = add_shop(manager)
    made = datetime(2026, 11, 30, 8, tzinfo=UTC)
    record(visit_form(shop, device_at=made, client_key="late"), manager, made + timedelta(days=1), tmp_path)
    assert visit_compliance(manager.id, "2026-11").done == 1
    assert visit_compliance(manager.id, "2026-12").done == 0


def test_nothing_required_has_no_share(make_user):
    assert visit_compliance(make_user("manager").id, "2026-12").share is None
