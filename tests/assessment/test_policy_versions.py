"""The policy as versioned data (issue 22), through the admin page and the close: an administrator raises the
penalty to 300 yuan from the next period, after a side-by-side comparison and a dry run over the last closed
periods; the next close writes 300 and says which version decided it, while a regrade reaching an earlier period
is reconciled with that period's own policy (200); a version cannot reach back into a closed period."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from lms.assessment import policy_versions, services
from lms.assessment.models import ClosedPeriod, Indicator, LedgerEntry, Outcome, PolicyVersion, Ranking
from lms.audit.models import AuditEntry
from lms.extensions import db
from tests.assessment.test_regrade_reconciliation import regrade
from tests.support.quizzes import after_close
from tests.support.web import post_form

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # November is open; September and October are closed


def form(**changes):
    data = {"first_fail_action": "criticism", "consecutive_fail_penalty_yuan": "300",
            "system_ops_deduction_points": "2", "yellow_card_bottom_n": "3", "reward_top_n": "3",
            "quarter_yellow_cards": "2", "ranking_scope": "county", "absent_counts_as_fail": "y",
            "makeup_clears_fail": "y", "effective_from": "2026-11", "reason": "市公司2026年11月考核办法调整",
            "action": "preview"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def history(managers, monthly_quiz, take, monkeypatch):
    """Six managers; ``twice`` fails September and October (criticism, 200); ``late`` passes October, which a
    regrade will turn into a fail. September and October are closed with the settings' policy (version 0)."""
    monkeypatch.setattr("lms.assessment.policy_views.utcnow", lambda: NOW)
    monkeypatch.setattr("lms.assessment.services.utcnow", lambda: NOW)
    people = managers(6)
    twice, late = people[0], people[1]
    quizzes = {}
    for period in ("2026-09", "2026-10", "2026-11"):
        quizzes[period] = monthly_quiz(period)
        scores = {p: 85.0 + i for i, p in enumerate(people[2:])}
        scores[twice] = 60.0
        scores[late] = 70.0 if period == "2026-09" else 82.0
        take(quizzes[period], scores)
    for period in ("2026-09", "2026-10"):
        services.close_month(period, now=after_close(period))
    return SimpleNamespace(twice=twice, late=late, quizzes=quizzes)


def penalties(person):
    return [(e.period, e.amount_yuan, (e.evidence or {}).get("policy_version")) for e in db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.user_id == person.id, LedgerEntry.kind == "cash_penalty")
        .order_by(LedgerEntry.period))]


def test_a_higher_penalty_from_the_next_period_with_its_dry_run(client, auth, make_user, history):
    admin = make_user("admin")
    auth.login(admin)
    page = client.get("/assessment/policy").get_data(as_text=True)
    assert "默认设置" in page  # version 0: the settings
    assert 'value="2026-11"' in page  # the first open period after October's close

    preview = post_form(client, "/assessment/policy", form()).get_data(as_text=True)
    compared = preview[preview.index('id="policy-preview"'):]
    assert "连续不及格现金处罚（元）" in compared
    assert "200" in compared
    assert "300" in compared
    dry_run = compared[compared.index('id="policy-dry-run"'):]
    dry_run = dry_run[:dry_run.index("</table>")]
    october = dry_run[dry_run.index("2026-10"):]
    assert "处罚合计 200 元" in october  # what October's close wrote
    assert "处罚合计 300 元" in october  # what it would have written
    assert db.session.scalar(select(PolicyVersion)) is None  # a preview saves nothing

    saved = post_form(client, "/assessment/policy", form(action="save"))
    assert saved.status_code == 302
    version = db.session.scalar(select(PolicyVersion))
    assert (version.number, version.effective_from, version.values["consecutive_fail_penalty_yuan"]) == \
        (1, "2026-11", 300)
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "assessment.policy_version"))
    assert audit.changes["consecutive_fail_penalty_yuan"] == [200, 300]
    assert audit.reason == "市公司2026年11月考核办法调整"

    # October, closed, keeps its policy: a regrade that turns 82 into a fail writes October's 200, not 300.
    regrade(history.quizzes["2026-10"], {history.late: 75.0})
    services.close_month("2026-11", now=after_close("2026-11"))
    assert penalties(history.twice) == [("2026-10", 200, 0), ("2026-11", 300, 1)]
    assert ("2026-10", 200) in [(p, a) for p, a, _v in penalties(history.late)]
    versions = dict(db.session.execute(select(Outcome.period, Outcome.policy_version).where(
        Outcome.user_id == history.twice.id)).all())
    assert versions == {"2026-09": 0, "2026-10": 0, "2026-11": 1}  # each outcome names its version
    closed = db.session.scalar(select(ClosedPeriod).where(ClosedPeriod.period == "2026-11"))
    assert (closed.policy["version"], closed.policy["consecutive_fail_penalty_yuan"]) == (1, 300)
    assert policy_versions.policy_for("2026-10").consecutive_fail_penalty_yuan == 200
    assert "第 1 版" in client.get("/assessment/policy").get_data(as_text=True)


def test_a_version_cannot_reach_back_into_a_closed_period_and_bad_values_are_named(client, auth, make_user,
                                                                                   history):
    auth.login(make_user("admin"))
    refused = post_form(client, "/assessment/policy", form(effective_from="2026-10", action="save"))
    assert refused.status_code == 200
    assert "须晚于最近已结账的 2026-10" in refused.get_data(as_text=True)
    bad = post_form(client, "/assessment/policy", form(consecutive_fail_penalty_yuan="-5", reason=""))
    page = bad.get_data(as_text=True)
    assert "请写明调整原因" in page
    same = post_form(client, "/assessment/policy", form(consecutive_fail_penalty_yuan="200", action="save"))
    assert "新版本与当前规则相同" in same.get_data(as_text=True)
    assert db.session.scalar(select(PolicyVersion)) is None


def test_only_an_administrator_sees_the_policy(client, auth, make_user):
    for role in ("manager", "trainer", "supervisor"):
        auth.login(make_user(role))
        assert client.get("/assessment/policy").status_code in (403, 404)
        auth.logout()


@pytest.fixture
def november(managers, monthly_quiz, take, monkeypatch):
    """November open, six managers who sat its test (the first the best)."""
    monkeypatch.setattr("lms.assessment.policy_views.utcnow", lambda: NOW)
    people = managers(6)
    take(monthly_quiz("2026-11"), {p: 90.0 - i for i, p in enumerate(people)})
    return people


def test_a_county_s_own_weight_for_its_process_indicators_where_the_policy_allows_it(client, auth, make_user,
                                                                                      november):
    """县区自主考核: 城区 counts its imported process indicators double from November; the ranking follows."""
    people = november
    last = people[-1]
    db.session.add(Indicator(period="2026-11", user_id=last.id, name="门店拜访达标率", points=4.0,
                             imported_by_id=make_user("admin").id))
    db.session.commit()
    county = last.county_id
    auth.login(make_user("admin"))
    refused = post_form(client, "/assessment/policy", form(
        consecutive_fail_penalty_yuan="200", ranking_scope="city", county_weights_allowed="y",
        **{f"weight-{county}": "2", "action": "save"}))
    assert "只有在县区内排名时" in refused.get_data(as_text=True)
    saved = post_form(client, "/assessment/policy", form(
        consecutive_fail_penalty_yuan="200", county_weights_allowed="y", **{f"weight-{county}": "2",
                                                                            "action": "save"}))
    assert saved.status_code == 302
    assert db.session.scalar(select(PolicyVersion.values))["county_indicator_weights"] == {str(county): 2.0}
    services.close_month("2026-11", now=after_close("2026-11"))
    row = db.session.scalar(select(Ranking).where(Ranking.user_id == last.id, Ranking.period == "2026-11"))
    assert row.unified_score == 85.0 + 2 * 4.0  # the test's 85 and twice the 4 imported points
    assert row.position == 1
