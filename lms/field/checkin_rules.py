"""Check-in rules (电子签到), pure: the day's slots and their windows, lateness, distance to the expected place, which
check-ins are missing, the compliance rate of a month, and which privacy notice is current. No Flask, no SQLAlchemy;
every rule takes the local time it judges.

The plan: 8:00 a photo at the business hall with the live location; on a day with a ground activity an 8:30 photo at
the activity; 17:00 a photo on leaving. A morning or activity check-in after its time plus the grace minutes is late;
an evening check-in before 17:00 is early. Farther from the expected place than the radius is far; no location (the
person refused it, or the phone could not tell) is flagged as such. A working day is Monday to Friday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from lms.field.rules import distance_m, is_working_day, valid_position, working_days

MORNING, ACTIVITY, EVENING = "morning", "activity", "evening"
SLOTS = (MORNING, ACTIVITY, EVENING)
SLOT_LABELS = {MORNING: "上班签到（营业厅）", ACTIVITY: "活动签到", EVENING: "下班签到"}
SLOT_TIMES = {MORNING: time(8, 0), ACTIVITY: time(8, 30), EVENING: time(17, 0)}
# When each slot can be checked in (local time, inclusive start, exclusive end).
SLOT_WINDOWS = {MORNING: (time(6, 0), time(12, 0)), ACTIVITY: (time(6, 0), time(18, 0)),
                EVENING: (time(12, 0), time(23, 59, 59))}
# The slots every working day asks for; the activity slot only on a day the person reports an activity.
REQUIRED_SLOTS = (MORNING, EVENING)

# A check-in whose device time is this much older than its arrival was queued on the phone (late-received).
LATE_RECEIVED_AFTER = timedelta(minutes=2)
# A queued check-in is judged by the time it was taken if it arrives within this; older ones are refused.
MAX_QUEUE_AGE = timedelta(hours=48)
# The phone's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)

# The privacy notice shown before the first check-in; a new version asks everyone again.
PRIVACY_NOTICE_VERSION = "2026-12"

TOO_OLD, OUTSIDE_WINDOW = "too_old", "outside_window"
REFUSALS = {TOO_OLD: "这条签到在手机上保存已超过48小时，不能再补传", OUTSIDE_WINDOW: "现在不在该签到的时段内"}


@dataclass(frozen=True)
class CheckinSettings:
    radius_m: float = 300.0
    grace_minutes: int = 10

    @classmethod
    def from_settings(cls, config: dict[str, object]) -> CheckinSettings:
        return cls(radius_m=float(config["LMS_CHECKIN_RADIUS_M"]),  # type: ignore[arg-type]
                   grace_minutes=int(config["LMS_CHECKIN_GRACE_MINUTES"]))  # type: ignore[call-overload]


@dataclass(frozen=True)
class Position:
    latitude: float
    longitude: float
    accuracy_m: float | None = None


@dataclass(frozen=True)
class Timing:
    """When a check-in counts as taken (local), whether it arrived late from a phone's queue, or is refused."""

    taken_at: datetime
    late_received: bool
    refusal: str | None = None


@dataclass(frozen=True)
class Assessment:
    late: bool
    early: bool
    far: bool
    no_location: bool
    distance_m: float | None

    @property
    def compliant(self) -> bool:
        return not (self.late or self.early or self.far or self.no_location)


def judge_timing(slot: str, server_local: datetime, device_local: datetime | None, *, queued: bool) -> Timing:
    """The time that counts: the phone's when the check-in waited in its queue (and the phone's time is plausible),
    else the server's. A queued check-in older than ``MAX_QUEUE_AGE`` is refused; a live one outside its slot's
    window too (a queued one was inside it when it was taken, or it is refused for that)."""
    gap = server_local - device_local if device_local is not None else timedelta(0)
    late_received = device_local is not None and (queued or gap > LATE_RECEIVED_AFTER)
    taken = server_local
    if late_received and device_local is not None:
        if gap > MAX_QUEUE_AGE:
            return Timing(server_local, True, TOO_OLD)
        if gap >= -CLOCK_SKEW:
            taken = min(device_local, server_local)
    start, end = SLOT_WINDOWS[slot]
    if not start <= taken.time() < end:
        return Timing(taken, late_received, OUTSIDE_WINDOW)
    return Timing(taken, late_received)


def is_late(slot: str, taken: datetime, grace_minutes: int) -> bool:
    if slot == EVENING:
        return False
    due = datetime.combine(taken.date(), SLOT_TIMES[slot], taken.tzinfo) + timedelta(minutes=grace_minutes)
    return taken > due


def is_early(slot: str, taken: datetime) -> bool:
    return slot == EVENING and taken.time() < SLOT_TIMES[EVENING]


def assess(slot: str, taken: datetime, position: Position | None, expected: tuple[float, float] | None,
           settings: CheckinSettings) -> Assessment:
    """Flags of one check-in. Without an expected place (no coordinates for the business hall or the activity)
    the distance is unknown and never counts as far."""
    located = position is not None and valid_position(position.latitude, position.longitude)
    distance = None
    if position is not None and located and expected is not None and valid_position(*expected):
        distance = distance_m(position.latitude, position.longitude, expected[0], expected[1])
    return Assessment(late=is_late(slot, taken, settings.grace_minutes), early=is_early(slot, taken),
                      far=distance is not None and distance > settings.radius_m, no_location=not located,
                      distance_m=None if distance is None else round(distance, 1))




def slot_closed(slot: str, day: date, now_local: datetime, grace_minutes: int) -> bool:
    """Whether a slot of ``day`` can no longer be done on time: the morning after 8:00 plus grace; the evening once
    its window ends (a person may leave late)."""
    if now_local.date() != day:
        return now_local.date() > day
    if slot == EVENING:
        return now_local.time() >= SLOT_WINDOWS[EVENING][1]
    due = datetime.combine(day, SLOT_TIMES[slot]) + timedelta(minutes=grace_minutes)
    return now_local.replace(tzinfo=None) > due


def missing_slots(day: date, done: set[str], now_local: datetime, grace_minutes: int) -> tuple[str, ...]:
    """The required slots of ``day`` not done and no longer on time (none on a weekend)."""
    if not is_working_day(day):
        return ()
    return tuple(s for s in REQUIRED_SLOTS if s not in done and slot_closed(s, day, now_local, grace_minutes))


@dataclass(frozen=True)
class MonthCompliance:
    """One person's month: required check-ins so far, those done, those done without a flag, and the rate."""

    required: int
    done: int
    compliant: int

    @property
    def missing(self) -> int:
        return self.required - self.done

    @property
    def rate(self) -> float | None:
        return None if not self.required else round(self.compliant / self.required, 4)


def month_compliance(period: str, records: list[tuple[date, str, bool]], today: date,
                     joined: date | None = None) -> MonthCompliance:
    """``records``: (day, slot, compliant) of the person's check-ins in ``period``. Only the required slots of
    working days up to ``today`` (and from the day the person joined) count; an activity check-in is extra and
    never lowers the rate."""
    days = set(working_days(period, joined=joined, until=today))
    seen = {(day, slot): ok for day, slot, ok in records if day in days and slot in REQUIRED_SLOTS}
    return MonthCompliance(required=len(days) * len(REQUIRED_SLOTS), done=len(seen),
                           compliant=sum(1 for ok in seen.values() if ok))


@dataclass(frozen=True)
class MonthFlags:
    """What a person's check-ins of a month were flagged with: the days checked in at all, and how many check-ins
    (of any slot) were late, early, away from the place, without a location."""

    days: int = 0
    late: int = 0
    early: int = 0
    far: int = 0
    no_location: int = 0


def month_flags(records: list[tuple[date, bool, bool, bool, bool]]) -> MonthFlags:
    """``records``: (day, late, early, far, no_location) of the person's check-ins in a month."""
    return MonthFlags(days=len({r[0] for r in records}), late=sum(r[1] for r in records),
                      early=sum(r[2] for r in records), far=sum(r[3] for r in records),
                      no_location=sum(r[4] for r in records))


def valid_period(text: str) -> bool:
    """``YYYY-MM`` with a real month."""
    year, dash, month = text.partition("-")
    return bool(dash) and len(year) == 4 and year.isdigit() and len(month) == 2 and month.isdigit() and \
        1 <= int(month) <= 12
