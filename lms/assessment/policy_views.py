"""The policy page (admin): the rule set in force, its versions, and a new version with a side-by-side comparison
and a dry run over the last closed periods before it is saved."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.access import roles_required
from lms.assessment import policy_versions, rules
from lms.assessment.blueprint import bp
from lms.assessment.policy_forms import PolicyForm, county_weights
from lms.core.clock import period_of, utcnow
from lms.core.errors import ValidationFailed
from lms.extensions import db
from lms.org.models import COUNTY, Unit


def _next_open_period() -> str:
    """The first period a new version may govern: this month, or the month after the last closed one."""
    current = period_of(utcnow())
    closed = policy_versions.last_closed_period()
    if closed is None or closed < current:
        return current
    year, month = int(closed[:4]), int(closed[5:])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def _counties() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.kind == COUNTY, Unit.active.is_(True)).order_by(Unit.name)))


def _page(form: PolicyForm, *, proposal: rules.Policy | None = None, problems: list[str] | None = None,
          weights: dict[str, float] | None = None) -> Any:
    period = period_of(utcnow())
    effective = form.effective_from.data or _next_open_period()
    policy_for = policy_versions.period_policies()  # one read of the closed periods and versions for the page
    base = policy_for(effective if rules.is_period(effective) else period)
    counties = _counties()
    return render_template(
        "assessment/policy.html", form=form, in_force=policy_for(period), period=period,
        versions=policy_versions.versions(), fields=rules.POLICY_FIELDS, base=base, proposal=proposal,
        differences=rules.policy_differences(base, proposal) if proposal else [],
        effects=policy_versions.dry_run(proposal) if proposal else [], problems=problems or [],
        counties=counties, county_names={str(c.id): c.name for c in counties},
        weights=weights if weights is not None else dict(base.county_indicator_weights),
        kind_labels=rules.KIND_LABELS, first_fail_labels=rules.FIRST_FAIL_LABELS,
        ranking_scope_labels=rules.RANKING_SCOPE_LABELS)


@bp.route("/policy", methods=["GET", "POST"])
@roles_required("admin")
def policy() -> Any:
    if request.method == "GET":
        effective = _next_open_period()
        values = asdict(policy_versions.policy_for(effective))
        return _page(PolicyForm(data={**values, "effective_from": effective}))
    form = PolicyForm()
    weights, unreadable = county_weights(request.form, [c.id for c in _counties()])
    if not form.validate() or unreadable:
        return _page(form, problems=[_("请修改标出的字段。"), *unreadable], weights=weights)
    values = form.values(weights)
    try:
        policy_versions.check_effective_from(form.effective_from.data)
        proposal = policy_versions.proposed_policy(values, policy_versions.policy_for(form.effective_from.data))
        if request.form.get("action") != "save":
            return _page(form, proposal=proposal, weights=weights)
        version = policy_versions.create_version(current_user, values, effective_from=form.effective_from.data,
                                                 reason=form.reason.data or "", now=utcnow())
    except ValidationFailed as exc:
        return _page(form, problems=[exc.message, *exc.problems], weights=weights)
    flash(_("考核规则第 %(n)d 版已保存，自 %(period)s 起生效。", n=version.number, period=version.effective_from),
          "success")
    return redirect(url_for("assessment.policy"))
