"""Process indicators (县区自主考核 侧重过程性指标) computed per manager and month, written as the period's Indicator
rows before the close scores it (lms.assessment.indicator_sources), behind the setting LMS_FIELD_INDICATORS.

- **Providers**: each source of a share registers ``(user_ids, period) -> {user_id: share 0..1}`` under its key
  (lms.field.indicator_rules.INDICATOR_KEYS) with ``@register(key)``. The daily report's is in
  lms.field.daily_services; check-ins ("checkin_rate"), visits ("visit_compliance"), tickets ("tickets_in_time") and
  the shops' reading of their pack ("shop_coverage", lms.field.indicator_providers) plug in the same way: register
  in your module and add the module to ``PROVIDER_MODULES``.
  An indicator with no provider writes no row (nothing is invented).
- **Weights**: each indicator's full points; the city's default (county 0), a county's own where it set one
  (IndicatorWeight), else indicator_rules.DEFAULT_POINTS. Counties' weights of the whole indicator sum
  (Policy.county_indicator_weights) still apply on top in the close, as for imported indicators.
- **With the spreadsheet import**: computed rows are named "过程·<label>" and replace only rows of those names
  (for the managers closed); an imported row of any other name stays and counts beside them. Importing a file
  after the rows were computed replaces the person's rows as before, and the close computes them again.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime

from flask import current_app
from sqlalchemy import delete, insert, select

from lms.accounts import rules as account_rules
from lms.accounts.models import User
from lms.assessment.models import Indicator
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.clock import local_date, to_local
from lms.core.errors import Forbidden, ValidationFailed
from lms.extensions import db
from lms.field import indicator_rules, rules
from lms.field.indicator_models import CITY, IndicatorWeight

# provider(user_ids, period, until) -> {user: share}: ``until`` is the last day measured (measured_until).
Provider = Callable[[Sequence[int], str, date], dict[int, float]]
PROVIDERS: dict[str, Provider] = {}
# The modules whose import registers providers; imported before the close computes (no page need be loaded).
PROVIDER_MODULES = ["lms.field.daily_services", "lms.field.indicator_providers"]


def register(key: str) -> Callable[[Provider], Provider]:
    if key not in indicator_rules.INDICATOR_LABELS:
        raise ValueError(f"unknown process indicator {key!r}: add it to lms.field.indicator_rules first")

    def decorator(provider: Provider) -> Provider:
        PROVIDERS[key] = provider
        return provider

    return decorator


def providers() -> dict[str, Provider]:
    for module in PROVIDER_MODULES:
        importlib.import_module(module)
    return {key: PROVIDERS[key] for key in indicator_rules.INDICATOR_KEYS if key in PROVIDERS}


# --- weights ----------------------------------------------------------------------------------------------------

def measured_until(period: str, now: datetime) -> date:
    """The last day an indicator of ``period`` counts: the month's last day, or the day of ``now`` (the close's own
    time) while the month runs — a close may run before the month ends, once its exam window has shut, and the
    days still ahead are not missed."""
    return min(to_local(now).date(), rules.period_days(period)[-1])


def joined_days(user_ids: Sequence[int]) -> dict[int, date | None]:
    """The local day each person joined (nothing is due from a person before it)."""
    return {user_id: local_date(at) for user_id, at in db.session.execute(
        select(User.id, User.joined_at).where(User.id.in_(list(user_ids))))}


def weights_by_county() -> dict[int, dict[str, float]]:
    """{county id (0: the city): {indicator: points}} as stored."""
    found: dict[int, dict[str, float]] = {}
    for row in db.session.scalars(select(IndicatorWeight)):
        found.setdefault(row.county_id, {})[row.indicator] = row.points
    return found


def weights_for(county_id: int | None, stored: Mapping[int, Mapping[str, float]] | None = None) -> dict[str, float]:
    """The points each indicator is worth in a county: its own, else the city's, else the default."""
    stored = weights_by_county() if stored is None else stored
    return {**indicator_rules.DEFAULT_POINTS, **stored.get(CITY, {}), **stored.get(county_id or CITY, {})}


def can_edit_weights(actor: User, county_id: int) -> bool:
    """The admin sets the city's default and any county's; a county supervisor (or a city one) their county's."""
    if actor.role == account_rules.ADMIN:
        return True
    if actor.role != account_rules.SUPERVISOR or county_id == CITY:
        return False
    scope = actor.scope
    return scope.kind == account_rules.ALL or (
        scope.kind == account_rules.COUNTY_SCOPE and scope.county_id == county_id)


def save_weights(actor: User, county_id: int, values: Mapping[str, float | None]) -> None:
    """One county's (or the city's) points per indicator; None clears a county's own (the city's then applies)."""
    if not can_edit_weights(actor, county_id):
        raise Forbidden("您不能修改该县区的过程指标分值")
    problems = indicator_rules.check_weights({k: v for k, v in values.items() if v is not None})
    if problems:
        raise ValidationFailed("过程指标分值有误", problems)
    before = weights_by_county().get(county_id, {})
    db.session.execute(delete(IndicatorWeight).where(IndicatorWeight.county_id == county_id))
    after = {k: float(v) for k, v in values.items() if v is not None}
    if after:
        db.session.execute(insert(IndicatorWeight), [
            {"county_id": county_id, "indicator": k, "points": v, "updated_by_id": actor.id} for k, v in after.items()])
    audit.record(audit_rules.FIELD_WEIGHTS_CHANGED, actor=actor, subject=str(county_id),
                 changes=audit_rules.describe_changes(before, after))
    db.session.commit()


# --- the close ----------------------------------------------------------------------------------------------------

def compute(period: str, managers: Sequence[User], now: datetime) -> dict[int, dict[str, tuple[float, float]]]:
    """{user: {indicator: (share, points)}} for every indicator that has a provider, measured up to ``now``."""
    ids, until = [m.id for m in managers], measured_until(period, now)
    shares = {key: provider(ids, period, until) for key, provider in providers().items()}
    stored = weights_by_county()
    found: dict[int, dict[str, tuple[float, float]]] = {}
    for person in managers:
        mine = {key: by_user[person.id] for key, by_user in shares.items() if person.id in by_user}
        points = indicator_rules.weighted_points(mine, weights_for(person.county_id, stored))
        found[person.id] = {key: (mine[key], points[key]) for key in mine}
    return found


def write_process_indicators(period: str, managers: Sequence[User], now: datetime) -> int:
    """The period's computed rows for ``managers``, replacing rows of the same names (not other imported ones).
    Flushes in the caller's transaction; off (0 rows) when LMS_FIELD_INDICATORS is."""
    if not current_app.config["LMS_FIELD_INDICATORS"] or not managers:
        return 0
    computed = compute(period, managers, now)
    names = [indicator_rules.row_name(k) for k in providers()]
    db.session.execute(delete(Indicator).where(Indicator.period == period, Indicator.name.in_(names),
                                               Indicator.user_id.in_([m.id for m in managers])))
    rows = [{"period": period, "user_id": user_id, "name": indicator_rules.row_name(key), "points": points,
             "imported_by_id": None, "created_at": now}
            for user_id, mine in computed.items() for key, (_share, points) in mine.items()]
    if rows:
        db.session.execute(insert(Indicator), rows)
    db.session.flush()
    return len(rows)
