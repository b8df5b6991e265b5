"""The assessment policy as versioned data (issue 22): which policy governs a period, a new version (a write,
audited), and the dry run of a proposed version over the last closed periods.

- A closed period is governed by the policy it was closed with (``ClosedPeriod.policy``, its version included), so
  a regrade reaching it is reconciled as that period was closed, whatever changed since.
- An open period is governed by the latest version in force from that period on (``PolicyVersion.effective_from``),
  or by the settings (version 0) before any version exists.
- A new version takes effect from a period after the last closed one: the past is never re-planned by a change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.assessment import rules
from lms.assessment.models import ClosedPeriod, Outcome, PolicyVersion
from lms.assessment.queries import appealed_cards, period_deductions, period_indicators
from lms.audit import rules as audit_rules
from lms.audit.services import record
from lms.core.errors import ValidationFailed
from lms.extensions import db

DRY_RUN_PERIODS = 3


def settings_policy() -> rules.Policy:
    """Version 0: the settings (LMS_* in lms.config)."""
    return rules.Policy.from_settings(current_app.config)


def versions() -> list[PolicyVersion]:
    """Every stored version, newest first."""
    return list(db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.number.desc())))


def _as_policy(version: PolicyVersion, base: rules.Policy) -> rules.Policy:
    return replace(rules.Policy.from_stored({**asdict(base), **version.values}), version=version.number)


def period_policies() -> rules.PolicyFor:
    """Which policy governs each period (closed: the one it was closed with; open: the version in force)."""
    closed = {period: rules.Policy.from_stored(stored or {})
              for period, stored in db.session.execute(select(ClosedPeriod.period, ClosedPeriod.policy))}
    base = settings_policy()
    stored = sorted(versions(), key=lambda v: (v.effective_from, v.number))

    def policy_for(period: str) -> rules.Policy:
        if period in closed:
            return closed[period]
        found = base
        for version in stored:
            if version.effective_from <= period:
                found = _as_policy(version, base)
        return found

    return policy_for


def policy_for(period: str) -> rules.Policy:
    return period_policies()(period)


def last_closed_period() -> str | None:
    return db.session.scalar(select(func.max(ClosedPeriod.period)))


# --- a new version ---------------------------------------------------------------------------------------------------

def proposed_policy(values: Mapping[str, Any], base: rules.Policy) -> rules.Policy:
    """The policy a form proposes: the editable fields over ``base`` (checked by rules.check_policy_values)."""
    problems = rules.check_policy_values(values)
    if problems:
        raise ValidationFailed("考核规则未保存：请修改以下问题", problems)
    return replace(base, **{k: values[k] for k in rules.POLICY_FIELDS})


def check_effective_from(period: str) -> str:
    if not rules.is_period(period):
        raise ValidationFailed("生效月份格式为 YYYY-MM")
    closed = last_closed_period()
    if closed is not None and period <= closed:
        raise ValidationFailed(f"生效月份须晚于最近已结账的 {closed}：已结账的考核期不按新规则重算")
    return period


def create_version(actor: User, values: Mapping[str, Any], *, effective_from: str, reason: str,
                   now: datetime) -> PolicyVersion:
    """A new version in force from ``effective_from`` (after the last closed period), with its reason; audited
    with every field it changes against the policy it replaces for that period."""
    check_effective_from(effective_from)
    if not reason.strip():
        raise ValidationFailed("请写明调整原因")
    before = policy_for(effective_from)
    policy = proposed_policy(values, before)
    changes = rules.policy_differences(before, policy)
    if not changes:
        raise ValidationFailed("新版本与当前规则相同，没有需要保存的修改")
    number = (db.session.scalar(select(func.max(PolicyVersion.number))) or 0) + 1
    version = PolicyVersion(number=number, effective_from=effective_from,
                            values={k: getattr(policy, k) for k in rules.POLICY_FIELDS}, reason=reason.strip(),
                            created_by_id=actor.id, created_at=now)
    db.session.add(version)
    record(audit_rules.POLICY_VERSION_CREATED, actor=actor, subject=f"v{number}", reason=reason.strip(), changes={
        "version": number, "effective_from": effective_from,
        **{key: [old, new] for key, old, new in changes}})
    db.session.commit()
    return version


# --- the dry run -----------------------------------------------------------------------------------------------------

@dataclass
class PeriodEffect:
    """What a period's close wrote under its own policy, and what it would have written under the proposal."""

    period: str
    before: dict[str, int] = field(default_factory=dict)  # entry kind → count
    after: dict[str, int] = field(default_factory=dict)
    before_yuan: int = 0
    after_yuan: int = 0

    @property
    def changed(self) -> bool:
        return (self.before, self.before_yuan) != (self.after, self.after_yuan)


def dry_run(proposal: rules.Policy, *, periods: int = DRY_RUN_PERIODS) -> list[PeriodEffect]:
    """The last ``periods`` closed periods planned from their stored outcomes twice: under the policies they were
    closed with, and as if the proposal had governed them (earlier periods keep theirs). Writes nothing."""
    closed = list(db.session.scalars(select(ClosedPeriod.period).order_by(ClosedPeriod.period)))
    if not closed:
        return []
    shown = closed[-periods:]
    numbers = dict(db.session.execute(select(User.id, User.employee_no)).all())
    by_period: dict[str, list[rules.OutcomeFact]] = defaultdict(list)
    for o in db.session.scalars(select(Outcome).where(Outcome.period.in_(closed)).order_by(Outcome.period,
                                                                                             Outcome.user_id)):
        by_period[o.period].append(rules.OutcomeFact(o.user_id, numbers[o.user_id], o.county_id, o.status, o.score,
                                                     o.submitted_at))
    facts = [rules.PeriodFacts(p, by_period[p], period_deductions(p), period_indicators(p)) for p in closed]
    actual = period_policies()

    def proposed(period: str) -> rules.Policy:
        return proposal if period in shown else actual(period)

    cards = appealed_cards()
    effects = {p: PeriodEffect(p) for p in shown}
    for which, lookup in (("before", actual), ("after", proposed)):
        for plan in rules.plan_history(facts, lookup, appealed_cards=cards):
            effect = effects.get(plan.period)
            if effect is None:
                continue
            counts: dict[str, int] = getattr(effect, which)
            for entry in plan.entries:
                counts[entry.kind] = counts.get(entry.kind, 0) + 1
                setattr(effect, f"{which}_yuan", getattr(effect, f"{which}_yuan") + (entry.amount_yuan or 0))
    return [effects[p] for p in reversed(shown)]
