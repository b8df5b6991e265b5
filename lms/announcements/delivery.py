"""Who receives a message and how it fans out, without committing: an inbox row per person and event and, where
the person asked for it, an outbox row per channel or group robot, each inserted at most once; and stored links.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from lms.announcements import rules
from lms.announcements.models import ContactSetting, GroupRobot, InboxMessage, OutboxMessage
from lms.announcements.payloads import EMAIL

CHUNK = 500


def path_for(endpoint: str, **values: Any) -> str:
    """A path inside the app for a stored link; works outside a request (commands, event receivers)."""
    try:
        return current_app.url_map.bind("localhost").build(endpoint, values)
    except BuildError:
        return "/"


def smtp_configured() -> bool:
    return bool(current_app.config.get("LMS_SMTP_HOST"))


# --- inbox rows and outbox rows, each inserted at most once -----------------------------------------------------------


def _insert_ignoring_duplicates(session: Session, model: Any, rows: list[dict[str, Any]],
                                conflict: list[str]) -> list[Any]:
    """INSERT … ON CONFLICT DO NOTHING (SQLite and PostgreSQL); returns the ids actually inserted.

    Two processes generating the same reminder at once cannot both insert it: the unique key decides.
    """
    if not rows:
        return []
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    inserted: list[Any] = []
    for start in range(0, len(rows), CHUNK):
        stmt = insert(model).values(rows[start:start + CHUNK]).on_conflict_do_nothing(index_elements=conflict)
        inserted += list(session.scalars(stmt.returning(model.id)))
    return inserted


@dataclass
class DeliveryCount:
    inbox: int = 0
    outbox: int = 0


def deliver(session: Session, reminders: Sequence[rules.Reminder], *, now: datetime,
            announcement_id: int | None = None) -> DeliveryCount:
    """Put each message in its person's inbox and queue an e-mail for those who asked for one (no commit)."""
    count = DeliveryCount()
    if not reminders:
        return count
    inbox_rows = [{"user_id": r.user_id, "kind": r.kind, "event_key": r.event_key[:160], "title": r.title[:200],
                   "body": r.body, "link": r.link[:300], "announcement_id": announcement_id, "created_at": now}
                  for r in reminders]
    count.inbox = len(_insert_ignoring_duplicates(session, InboxMessage, inbox_rows, ["user_id", "event_key"]))
    if current_app.config.get("LMS_SMTP_HOST"):
        user_ids = {r.user_id for r in reminders}
        addresses: dict[int, str] = {}
        for start in range(0, len(user_ids), CHUNK):
            chunk = list(user_ids)[start:start + CHUNK]
            addresses.update(session.execute(
                select(ContactSetting.user_id, ContactSetting.email).where(
                    ContactSetting.user_id.in_(chunk), ContactSetting.email_enabled.is_(True),
                    ContactSetting.email.is_not(None))).all())
        outbox_rows = [_outbox_row(r.event_key, r.kind, EMAIL, recipient=addresses[r.user_id],
                                   key_recipient=f"user:{r.user_id}", subject=r.title, body=r.body, link=r.link,
                                   now=now, user_id=r.user_id)
                       for r in reminders if addresses.get(r.user_id)]
        count.outbox = len(_insert_ignoring_duplicates(session, OutboxMessage, outbox_rows, ["idempotency_key"]))
    return count


def _outbox_row(event_key: str, kind: str, channel: str, *, recipient: str, key_recipient: str, subject: str,
                body: str, link: str, now: datetime, user_id: int | None = None,
                robot_id: int | None = None) -> dict[str, Any]:
    return {"idempotency_key": rules.outbox_key(event_key, channel, key_recipient), "event_key": event_key[:160],
            "kind": kind, "channel": channel, "recipient": recipient[:500], "user_id": user_id, "robot_id": robot_id,
            "subject": subject[:200], "body": body, "link": link[:300], "status": rules.PENDING, "attempts": 0,
            "next_attempt_at": now, "created_at": now}


def robots_for_units(session: Session, *, county_id: int | None, grid_id: int | None) -> list[GroupRobot]:
    """Robots whose group lies inside the audience: the whole city reaches every robot; a county reaches that
    county's robots (its grids' included); a grid reaches that grid's robots. A group chat never hears about
    something meant for only part of it."""
    stmt = select(GroupRobot).where(GroupRobot.active.is_(True))
    if grid_id is not None:
        stmt = stmt.where(GroupRobot.grid_id == grid_id)
    elif county_id is not None:
        stmt = stmt.where(GroupRobot.county_id == county_id)
    return list(session.scalars(stmt.order_by(GroupRobot.id)))


def queue_for_robots(session: Session, robots: Iterable[GroupRobot], *, event_key: str, kind: str, subject: str,
                     body: str, link: str, now: datetime) -> int:
    rows = [_outbox_row(event_key, kind, robot.kind, recipient=f"robot:{robot.id}", key_recipient=f"robot:{robot.id}",
                        subject=subject, body=body, link=link, now=now, robot_id=robot.id) for robot in robots]
    return len(_insert_ignoring_duplicates(session, OutboxMessage, rows, ["idempotency_key"]))
