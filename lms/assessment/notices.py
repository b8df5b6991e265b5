"""County notices: who may publish one, and publishing a reviewed draft once its period is closed (the draft itself
is read in ``queries.notice_draft``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from lms.accounts import rules as account_rules
from lms.accounts.models import User
from lms.assessment.models import Notice
from lms.assessment.services import check_period, is_closed
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.errors import Conflict, Forbidden, NotFound
from lms.extensions import db
from lms.org.models import COUNTY, Unit


def can_publish_notice(user: User, county_id: int) -> bool:
    if user.role != account_rules.SUPERVISOR:
        return False
    scope = user.scope
    if scope.kind == account_rules.ALL:
        return True
    return scope.kind == account_rules.COUNTY_SCOPE and scope.county_id == county_id


def publish_notice(period: str, county_id: int, *, actor: User, body_html: str, now: datetime) -> Notice:
    """Freeze the reviewed draft of a county's notice and make it visible to the county's managers."""
    check_period(period)
    county = db.session.get(Unit, county_id)
    if county is None or county.kind != COUNTY:
        raise NotFound("县区不存在")
    if not can_publish_notice(actor, county_id):
        raise Forbidden("只有本县区或市级主管可以发布通报")
    if not is_closed(period):
        raise Conflict(f"{period} 尚未结账，通报只能在结账后发布")
    notice = Notice(period=period, county_id=county_id, body_html=body_html, published_at=now,
                    published_by_id=actor.id)
    db.session.add(notice)
    audit.record(audit_rules.NOTICE_PUBLISHED, actor=actor, subject=f"{county.name} {period} 通报",
                 changes={"period": period, "county": county.name})
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(f"{county.name} {period} 的通报已经发布") from exc
    return notice
