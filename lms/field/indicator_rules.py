"""Process indicators (县区自主考核 weighs 过程性指标), pure: each a share 0..1 per manager and month, and the points
a share earns under a county's weights. No Flask, no SQLAlchemy.

- A share is what was done over what was due; where nothing was due the share is 1 (nothing was missed).
- Working days are Monday to Friday of the period, from the day the person joined (public holidays are not modelled:
  a county that wants them out lowers the weight, or a supervisor corrects by import).
- Points are ``share × weight`` rounded to two places; the weight is the indicator's full points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from lms.field.rules import period_days, working_days  # noqa: F401 - the indicators' days, one rule for the field

CHECKIN_RATE, VISIT_COMPLIANCE, DAILY_REPORT_RATE, TICKETS_IN_TIME, SHOP_COVERAGE = (
    "checkin_rate", "visit_compliance", "daily_report_rate", "tickets_in_time", "shop_coverage")


@dataclass(frozen=True)
class ProcessIndicator:
    key: str
    label: str  # the name written on the Indicator row, after ROW_PREFIX
    default_points: float


PROCESS_INDICATORS = (
    ProcessIndicator(CHECKIN_RATE, "签到率", 5.0),
    ProcessIndicator(VISIT_COMPLIANCE, "拜访达标率", 5.0),
    ProcessIndicator(DAILY_REPORT_RATE, "日报提交率", 5.0),
    ProcessIndicator(TICKETS_IN_TIME, "工单及时办结率", 5.0),
    ProcessIndicator(SHOP_COVERAGE, "门店学习覆盖率", 5.0),
)
INDICATOR_KEYS = tuple(i.key for i in PROCESS_INDICATORS)
INDICATOR_LABELS = {i.key: i.label for i in PROCESS_INDICATORS}
DEFAULT_POINTS = {i.key: i.default_points for i in PROCESS_INDICATORS}
# Computed rows are named "过程·<label>": the close replaces rows of these names only, never an imported other name.
ROW_PREFIX = "过程·"
MAX_POINTS = 100.0


def row_name(key: str) -> str:
    return ROW_PREFIX + INDICATOR_LABELS[key]


def share(done: float, due: float) -> float:
    """done / due within 0..1; nothing due counts as complete."""
    if due <= 0:
        return 1.0
    return max(0.0, min(1.0, done / due))


def daily_report_rate(filed: Iterable[date], due: Iterable[date]) -> float:
    """Working days with both the morning plan and the progress report, over the working days due."""
    due_days = set(due)
    return share(len(due_days & set(filed)), len(due_days))


def checkin_rate(checked_in: Iterable[date], due: Iterable[date]) -> float:
    """Working days with a check-in that counts (the check-in source decides which do), over the days due."""
    due_days = set(due)
    return share(len(due_days & set(checked_in)), len(due_days))


def visit_compliance(done: Mapping[int, int], required: Mapping[int, float]) -> float:
    """Mean over the person's shops of min(1, visits / visits required this period); no shops: 1."""
    parts = [share(done.get(shop, 0), needed) for shop, needed in required.items()]
    return sum(parts) / len(parts) if parts else 1.0


def tickets_in_time(closed_in_time: int, due: int) -> float:
    """Tickets that fell due in the period and were closed by their due date, over those that fell due."""
    return share(closed_in_time, due)


def shop_coverage(confirmed: Iterable[int], due: Iterable[int]) -> float:
    """The manager's shops that were due and confirmed reading the month's shop pack ("we have read it"), over the
    shops due. Due: the manager's open shops registered before the month ended (lms.field.indicator_providers); a
    month without a shop pack has nothing due. Nothing due counts as complete (``share``)."""
    due_shops = set(due)
    return share(len(due_shops & set(confirmed)), len(due_shops))


def is_progress_late(reported_at_local: datetime, due: time) -> bool:
    """The progress report is due before ``due`` (17:00) on its own day, local time."""
    return reported_at_local.time() >= due


def parse_due(text: str) -> time:
    """"HH:MM" as a time; a setting that does not parse raises ValueError naming the value."""
    try:
        hours, minutes = (int(part) for part in text.split(":"))
        return time(hours, minutes)
    except ValueError:
        raise ValueError(f"“{text}”不是 HH:MM 格式的时间") from None


def weighted_points(shares: Mapping[str, float], weights: Mapping[str, float]) -> dict[str, float]:
    """{indicator: share × weight}, for the indicators that have a share; a weight left out is the default."""
    return {key: round(value * float(weights.get(key, DEFAULT_POINTS.get(key, 0.0))), 2)
            for key, value in shares.items()}


def check_weights(values: Mapping[str, float]) -> list[str]:
    """What is wrong with a set of weights (empty: they can be saved)."""
    problems = [f"未知的过程指标“{key}”" for key in values if key not in INDICATOR_LABELS]
    for key, value in values.items():
        if key in INDICATOR_LABELS and (isinstance(value, bool) or not 0 <= value <= MAX_POINTS):
            problems.append(f"{INDICATOR_LABELS[key]}的分值须在 0 到 {MAX_POINTS:g} 之间")
    return problems
