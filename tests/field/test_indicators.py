"""Process indicators through the close: computed per manager and month, weighted per county, written as the
period's indicators (beside imported ones of other names) and ranked in the unified score."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from lms.assessment import services
from lms.assessment.models import Indicator, Ranking
from lms.audit.models import AuditEntry
from lms.core.errors import Forbidden, ValidationFailed
from lms.extensions import db
from lms.field import indicator_rules, indicators
from lms.field.daily_models import DailyReport
from lms.field.indicator_models import CITY

# The close runs once November is over: its process indicators measure the whole month (a close run earlier
# measures up to its own day: tests/field/test_daily_services.py).
MONTH_OVER = datetime(2026, 12, 1, 2, tzinfo=UTC)

FILED = datetime(2026, 11, 2, 1, tzinfo=UTC)
NOVEMBER = indicator_rules.working_days("2026-11")  # 21 days


def file_reports(person, days):
    db.session.add_all(DailyReport(user_id=person.id, day=d, plan="拜访", plan_at=FILED, progress="完成",
                                   progress_at=FILED) for d in days)
    db.session.commit()


def rows(period="2026-11"):
    return {(i.user_id, i.name): i.points for i in db.session.scalars(select(Indicator).where(
        Indicator.period == period))}


def test_november_has_21_working_days() -> None:
    assert len(NOVEMBER) == 21


def test_close_month_ranks_with_the_computed_daily_report_rate(managers, monthly_quiz, take, make_user):
    diligent, half, silent = managers(3)
    take(monthly_quiz("2026-11"), {diligent: 90, half: 90, silent: 90})
    file_reports(diligent, NOVEMBER)
    file_reports(half, [*NOVEMBER[:10], date(2026, 11, 7)])  # a Saturday's report is not due and does not count
    plan_only = DailyReport(user_id=silent.id, day=NOVEMBER[0], plan="拜访", plan_at=FILED)  # no progress: not filed
    db.session.add(plan_only)
    admin = make_user("admin")
    # an earlier import: a row of a computed name is replaced, another name stays
    db.session.add_all([Indicator(period="2026-11", user_id=diligent.id, name="过程·日报提交率", points=99,
                                  imported_by_id=admin.id),
                        Indicator(period="2026-11", user_id=silent.id, name="渠道发展", points=1.0,
                                  imported_by_id=admin.id)])
    db.session.commit()

    services.close_month("2026-11", now=MONTH_OVER)

    assert rows() == {(diligent.id, "过程·日报提交率"): 5.0, (half.id, "过程·日报提交率"): round(5 * 10 / 21, 2),
                      (silent.id, "过程·日报提交率"): 0.0, (silent.id, "渠道发展"): 1.0}
    ranking = {r.user_id: r for r in db.session.scalars(select(Ranking))}
    assert [ranking[p.id].position for p in (diligent, half, silent)] == [1, 2, 3]
    assert ranking[diligent.id].unified_score == 95.0
    assert ranking[half.id].indicators == round(5 * 10 / 21, 2)


def test_a_county_s_own_weights_count_for_its_managers(managers, monthly_quiz, take, make_user):
    (city_person,) = managers(1)
    (county_person,) = managers(1, county="郊县", grid="北网格")
    take(monthly_quiz("2026-11"), {city_person: 80, county_person: 80})
    file_reports(city_person, NOVEMBER)
    file_reports(county_person, NOVEMBER)
    admin = make_user("admin")
    indicators.save_weights(admin, CITY, {indicator_rules.DAILY_REPORT_RATE: 8})
    indicators.save_weights(admin, county_person.county_id, {indicator_rules.DAILY_REPORT_RATE: 12})

    services.close_month("2026-11", now=MONTH_OVER)

    assert rows() == {(city_person.id, "过程·日报提交率"): 8.0, (county_person.id, "过程·日报提交率"): 12.0}


def test_a_dry_run_writes_no_indicator_and_the_setting_turns_them_off(app, managers, monthly_quiz, take):
    person, other = managers(2)
    take(monthly_quiz("2026-11"), {person: 90, other: 85})
    file_reports(person, NOVEMBER)
    report = services.close_month("2026-11", now=MONTH_OVER, dry_run=True)
    assert rows() == {}
    assert [r.user_id for r in report.ranking] == [person.id, other.id]
    assert report.ranking[0].unified_score == 95.0  # the preview plans on the computed points

    app.config["LMS_FIELD_INDICATORS"] = False
    services.close_month("2026-11", now=MONTH_OVER)
    assert rows() == {}


def test_weights_are_checked_audited_and_limited_to_the_own_county(make_user, make_unit):
    admin, county_sup = make_user("admin"), make_user("supervisor", grid=None)
    grid_sup = make_user("supervisor")
    other = make_unit("郊县")
    indicators.save_weights(county_sup, county_sup.county_id, {indicator_rules.CHECKIN_RATE: 10,
                                                               indicator_rules.DAILY_REPORT_RATE: None})
    assert indicators.weights_for(county_sup.county_id)[indicator_rules.CHECKIN_RATE] == 10
    assert indicators.weights_for(other.id)[indicator_rules.CHECKIN_RATE] == 5.0  # the default
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.changes) == ("field.indicator_weights", {"checkin_rate": [None, 10.0]})
    for actor, county in ((county_sup, other.id), (county_sup, CITY), (grid_sup, grid_sup.county_id)):
        with pytest.raises(Forbidden):
            indicators.save_weights(actor, county, {indicator_rules.CHECKIN_RATE: 1})
    with pytest.raises(ValidationFailed) as refused:
        indicators.save_weights(admin, CITY, {indicator_rules.CHECKIN_RATE: 101})
    assert refused.value.problems == ["签到率的分值须在 0 到 100 之间"]


def test_a_provider_plugs_in_by_its_key(app, managers, monkeypatch):
    person, other = managers(2)
    indicators.providers()  # the real providers registered first: the test's stands in for one, then goes
    monkeypatch.setitem(indicators.PROVIDERS, indicator_rules.CHECKIN_RATE,
                        lambda ids, period, until: {person.id: 0.5})  # the check-in source's shape
    computed = indicators.compute("2026-11", [person, other], MONTH_OVER)
    assert computed[person.id][indicator_rules.CHECKIN_RATE] == (0.5, 2.5)
    assert indicator_rules.CHECKIN_RATE not in computed[other.id]  # the source said nothing about them
    with pytest.raises(ValueError, match="unknown process indicator"):
        indicators.register("smiles")
