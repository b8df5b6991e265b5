"""The demo's check-ins: every grid's hall placed, the first grid's managers with a week of check-ins (some late,
far or sent late), written once however often the demo runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from lms.demo import checkins
from lms.extensions import db
from lms.field.checkin_models import CheckIn
from lms.field.checkin_queries import checkin_rate


def test_demo_check_ins_show_each_flag_and_are_written_once(managers: Any) -> None:
    people = managers(3, grid="东城网格")  # joined long ago, as the demo's people did
    managers(1, grid="西城网格")
    now = datetime(2026, 12, 5, 4, 0, tzinfo=UTC)  # Saturday: the week before is Mon 30 Nov .. Fri 4 Dec
    assert checkins.place_halls() == 2
    written = checkins.record_checkins(now)
    assert written > 20
    rows = list(db.session.scalars(select(CheckIn)))
    assert {row.user_id for row in rows} == {p.id for p in people}
    assert any(r.late for r in rows)
    assert any(r.far for r in rows)
    assert any(r.late_received for r in rows)
    assert not any(r.early for r in rows)
    assert checkins.record_checkins(now) == 0
    assert db.session.scalar(select(func.count(CheckIn.id))) == written
    rate = checkin_rate(people[0].id, "2026-12", today=now.date())
    assert rate is not None
    assert 0 < rate < 1
