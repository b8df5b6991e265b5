"""Check-in use cases: issue the key a phone sends its check-in with, record a check-in (photo re-encoded without
metadata, place judged, flags set), acknowledge the privacy notice. Each write commits here; the
retention purge of photos and coordinates is lms.field.retention."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.core.clock import as_utc, to_local
from lms.core.errors import Conflict, Forbidden, ValidationFailed
from lms.courses import media
from lms.extensions import db
from lms.field import checkin_rules as rules
from lms.field.checkin_models import CheckIn, PrivacyAcknowledgement
from lms.field.rules import valid_position
from lms.org.models import Unit

log = logging.getLogger(__name__)

KEY_SALT = "field.checkin"


@dataclass(frozen=True)
class CheckinRequest:
    """What the phone sent: the slot, the key the page was given, the phone's time (and whether the check-in waited
    in its queue), where it was (None: no location), the photo, and for an activity the place the person gives."""

    slot: str
    key: str
    photo: bytes
    photo_name: str
    device_at: datetime | None = None
    queued: bool = False
    position: rules.Position | None = None
    note: str = ""
    activity_address: str = ""
    activity_place: tuple[float, float] | None = None


@dataclass(frozen=True)
class CheckinOutcome:
    checkin: CheckIn
    created: bool  # False: this key was recorded before (a resend after a lost answer)


def issue_key(user: User, secret: str) -> str:
    """A key for one check-in, signed for this person: a resend with the same key is the same check-in."""
    return URLSafeSerializer(secret, salt=KEY_SALT).dumps({"u": user.id, "n": secrets.token_urlsafe(12)})


def _key_is_for(key: str, user: User, secret: str) -> bool:
    try:
        data = URLSafeSerializer(secret, salt=KEY_SALT).loads(key)
    except BadSignature:
        return False
    return isinstance(data, dict) and data.get("u") == user.id


def has_acknowledged(user: User) -> bool:
    return db.session.scalar(select(PrivacyAcknowledgement.id).where(
        PrivacyAcknowledgement.user_id == user.id,
        PrivacyAcknowledgement.version == rules.PRIVACY_NOTICE_VERSION)) is not None


def acknowledge_notice(user: User, *, now: datetime) -> None:
    if has_acknowledged(user):
        return
    db.session.add(PrivacyAcknowledgement(user_id=user.id, version=rules.PRIVACY_NOTICE_VERSION, acknowledged_at=now))
    db.session.commit()
    log.info("privacy notice %s acknowledged by %s", rules.PRIVACY_NOTICE_VERSION, user.employee_no)


def business_hall(user: User) -> Unit | None:
    """The unit whose place a morning check-in is judged against: the person's grid, else their county."""
    for unit_id in (user.grid_id, user.county_id):
        unit = db.session.get(Unit, unit_id) if unit_id is not None else None
        if unit is not None and unit.latitude is not None and unit.longitude is not None:
            return unit
    return None


def _expected_place(user: User, request: CheckinRequest) -> tuple[str, tuple[float, float] | None]:
    if request.slot == rules.ACTIVITY:
        if not request.activity_address.strip():
            raise ValidationFailed("活动签到请填写活动地点", code="activity_address")
        place = request.activity_place
        return request.activity_address.strip()[:200], place if place and valid_position(*place) else None
    hall = business_hall(user)
    if hall is None:
        return "", None
    return f"{hall.name}营业厅", (hall.latitude, hall.longitude)  # type: ignore[return-value]


def _photo(request: CheckinRequest, limits: media.MediaLimits) -> media.CheckedMedia:
    name = media.clean_name(request.photo_name or "photo.jpg")
    if not request.photo:
        raise ValidationFailed("请先拍照", code="photo_missing")
    if PurePosixPath(name.lower()).suffix not in media.IMAGE_EXTENSIONS:
        raise ValidationFailed(f"照片“{name}”不是图片，请用相机拍一张照片（JPEG、PNG 或 WebP）", code="photo_refused")
    try:
        checked = media.check_upload(request.photo, name, limits)
    except media.MediaRefused as exc:
        raise ValidationFailed(f"照片“{name}”未能接收：{exc}", code="photo_refused") from None
    return checked


def record_checkin(user: User, request: CheckinRequest, *, now: datetime, secret: str,
                   settings: rules.CheckinSettings, media_root: Path, limits: media.MediaLimits) -> CheckinOutcome:
    """Judge and store one check-in. The same key again returns the stored one (the phone resent it)."""
    if not has_acknowledged(user):
        raise Forbidden("请先阅读并确认个人信息告知", code="notice_required")
    if not _key_is_for(request.key, user, secret):
        raise ValidationFailed("签到页面已过期，请刷新后重试", code="bad_key")
    existing = db.session.scalar(select(CheckIn).where(CheckIn.idempotency_key == request.key))
    if existing is not None:
        return CheckinOutcome(existing, created=False)
    if request.slot not in rules.SLOTS:
        raise ValidationFailed("未知的签到类型", code="bad_slot")
    device_local = to_local(request.device_at) if request.device_at is not None else None
    timing = rules.judge_timing(request.slot, to_local(now), device_local, queued=request.queued)
    if timing.refusal is not None:
        raise ValidationFailed(rules.REFUSALS[timing.refusal], code=timing.refusal)
    day = timing.taken_at.date()
    label = rules.SLOT_LABELS[request.slot]
    if db.session.scalar(select(CheckIn.id).where(CheckIn.user_id == user.id, CheckIn.day == day,
                                                  CheckIn.slot == request.slot)) is not None:
        raise Conflict(f"{day:%m月%d日}的{label}已经签过了", code="already_done")
    place_label, place = _expected_place(user, request)
    photo = _photo(request, limits)
    judged = rules.assess(request.slot, timing.taken_at, request.position, place, settings)
    media.store(media_root, photo)
    position = request.position if not judged.no_location else None
    checkin = CheckIn(
        user_id=user.id, slot=request.slot, day=day, at=now,
        device_at=as_utc(request.device_at) if request.device_at is not None else None,
        late_received=timing.late_received,
        latitude=position.latitude if position else None, longitude=position.longitude if position else None,
        accuracy_m=position.accuracy_m if position else None, distance_m=judged.distance_m,
        place_label=place_label, place_latitude=place[0] if place else None,
        place_longitude=place[1] if place else None,
        photo_name=photo.stored_name, photo_content_type=photo.content_type,
        late=judged.late, early=judged.early, far=judged.far, no_location=judged.no_location,
        note=request.note.strip()[:500], idempotency_key=request.key)
    db.session.add(checkin)
    try:
        db.session.commit()
    except IntegrityError:  # the same key or slot, committed by a parallel request a moment ago
        db.session.rollback()
        again = db.session.scalar(select(CheckIn).where(CheckIn.idempotency_key == request.key))
        if again is not None:
            return CheckinOutcome(again, created=False)
        raise Conflict(f"{day:%m月%d日}的{label}已经签过了", code="already_done") from None
    log.info("check-in %s %s by %s (late=%s far=%s late_received=%s)", request.slot, day, user.employee_no,
             judged.late, judged.far, timing.late_received)
    return CheckinOutcome(checkin, created=True)
