"""Recording a shop visit (渠道拜访) and editing the visit checklist: load → visit_rules → write → commit.

A visit's problems become tickets (``tickets.raise_tickets``) and may start the R3 loop (``r3.after_ticket``) in the
same transaction. Location and photos come only from the person's own act (the form), never in the background."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.accounts import rules as account_rules
from lms.accounts.models import User
from lms.audit import rules as audit_rules
from lms.audit import services as audit
from lms.core.clock import to_local
from lms.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from lms.courses import media
from lms.extensions import db
from lms.field import r3, rules, tickets, visit_queries, visit_rules
from lms.field.models import Shop
from lms.field.visit_models import ChecklistVersion, Visit

MAX_PHOTOS = 6
VISITORS = (account_rules.MANAGER, account_rules.SUPERVISOR)
EDITORS = (account_rules.TRAINER, account_rules.ADMIN)


@dataclass(frozen=True)
class Photo:
    data: bytes
    filename: str


@dataclass(frozen=True)
class VisitForm:
    """What the phone sends: the shop, the checklist version it showed, answers, fix-by dates, problems per
    category, a note, the position the person shared (or none), photos; for a visit queued offline the phone's time
    and the form's key (a resend is stored once)."""

    shop_id: int
    checklist_version: int
    answers: Mapping[str, str]
    fix_by: Mapping[str, str]
    problems: Mapping[str, str]
    note: str = ""
    latitude: float | None = None
    longitude: float | None = None
    photos: Sequence[Photo] = ()
    device_at: datetime | None = None
    client_key: str | None = None


def record_visit(form: VisitForm, *, person: User, now: datetime, media_root: Path, limits: media.MediaLimits,
                 settings: visit_rules.TicketSettings) -> Visit:
    if person.role not in VISITORS:
        raise Forbidden("只有渠道经理和主管可以登记拜访")
    if form.client_key:
        existing = db.session.scalar(select(Visit).where(Visit.client_key == form.client_key))
        if existing is not None:  # the phone sent the queued visit again (its answer was lost)
            if existing.user_id != person.id:
                raise Conflict("该拜访记录已由他人提交")
            return existing
    shop = db.session.get(Shop, form.shop_id)
    if shop is None or not visit_queries.may_visit(person, shop):
        raise NotFound("门店不存在或不在您负责的范围内")
    version = db.session.scalar(select(ChecklistVersion).where(ChecklistVersion.number == form.checklist_version))
    if version is None:
        raise ValidationFailed("拜访未提交", ["检查表版本不存在，请刷新页面后重填"])
    counted = visit_rules.counted_at(now, form.device_at)
    checked, problems = visit_rules.check_form(version.items, form.answers, form.fix_by, form.problems, form.note,
                                               today=to_local(counted).date())
    here = rules.valid_position(form.latitude, form.longitude)
    if (form.latitude is not None or form.longitude is not None) and not here:
        problems.append("位置无效，请重新获取位置")
    stored = _checked_photos(form.photos, limits, problems)
    if problems or checked is None:
        raise ValidationFailed("拜访未提交", problems)
    for item in stored:
        media.store(media_root, item)
    distance = None
    if here and rules.valid_position(shop.latitude, shop.longitude):
        distance = round(rules.distance_m(form.latitude, form.longitude, shop.latitude, shop.longitude), 1)  # type: ignore[arg-type]
    visit = Visit(user_id=person.id, shop_id=shop.id, checklist_version_id=version.id, answers=checked.answers,
                  note=checked.note, at=now, device_at=form.device_at, late_received=form.device_at is not None,
                  counted_at=counted, latitude=form.latitude if here else None,
                  longitude=form.longitude if here else None, distance_m=distance,
                  photos=[item.stored_name for item in stored], client_key=form.client_key or None)
    db.session.add(visit)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("该拜访记录已提交") from exc
    raised = tickets.raise_tickets(visit, checked.problems, now=now, settings=settings)
    r3.after_tickets(raised, now=now)
    db.session.commit()
    return visit


def _checked_photos(photos: Sequence[Photo], limits: media.MediaLimits,
                    problems: list[str]) -> list[media.CheckedMedia]:
    """The photos re-encoded without their metadata (where the phone was, its maker); what is wrong with any goes
    into ``problems``."""
    photos = [p for p in photos if p.data]
    if not photos:
        problems.append("请至少上传一张门店照片")
    if len(photos) > MAX_PHOTOS:
        problems.append(f"照片最多{MAX_PHOTOS}张")
    stored: list[media.CheckedMedia] = []
    for photo in photos[:MAX_PHOTOS]:
        name = media.clean_name(photo.filename)
        if not photo.filename.lower().endswith(tuple(media.IMAGE_EXTENSIONS)):
            problems.append(f"{name}：请上传照片（JPG、PNG、WebP）")
            continue
        try:
            stored.append(media.check_upload(photo.data, photo.filename, limits))
        except media.MediaRefused as exc:
            problems.append(f"{name}：{exc}")
    return stored


def save_checklist(items: Sequence[Mapping[str, Any]], *, actor: User, now: datetime) -> ChecklistVersion:
    """A new checklist version (insert-only); visits already made keep the version they filled."""
    if actor.role not in EDITORS:
        raise Forbidden("只有培训师或管理员可以修改拜访检查表")
    cleaned = [{"key": str(item.get("key") or "").strip(), "label": str(item.get("label") or "").strip(),
                "bad": item.get("bad"), "needs_fix_date": bool(item.get("needs_fix_date", True))} for item in items]
    problems = visit_rules.check_checklist(cleaned)
    if problems:
        raise ValidationFailed("检查表未保存", problems)
    current = visit_queries.checklist_in_force()
    if current.items == cleaned:
        raise Conflict("检查表没有变化")
    version = ChecklistVersion(number=current.number + 1, items=cleaned, created_by_id=actor.id, created_at=now)
    db.session.add(version)
    audit.record(audit_rules.CHECKLIST_SAVED, actor=actor, subject=f"拜访检查表第{version.number}版",
                 changes={"checklist_version": [current.number, version.number],
                          "items": [len(current.items), len(cleaned)]})
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("检查表刚被他人修改，请刷新后再保存") from exc
    return version
