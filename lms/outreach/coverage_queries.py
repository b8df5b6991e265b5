"""Reading the coverage of the shop pack (门店学习覆盖) for a supervisor: the shops of their scope (as the shop registry
scopes them: a grid supervisor their grid, a county one their county's grids, city-wide staff and admins all) and
each one's month — reached, opened, read, passed (lms.outreach.coverage_rules) — tallied by county, grid, kind,
star and manager; the shops never opened; the check questions shops missed most. The rows of the export too.

Everything is read for all shops at once, in the same few statements whatever their number: the shops (with their
grid, county and manager), their links, the month's readings, whether each ever opened, the questions' texts. The
monthly close's ``shop_coverage`` indicator reads its shops and confirmations in one statement (``due_and_read``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.core.clock import SHANGHAI, as_utc
from lms.extensions import db
from lms.field import rules as field_rules
from lms.field.models import Shop
from lms.field.shop_queries import shop_scope_clause
from lms.field.visit_queries import month_bounds
from lms.org.models import Unit
from lms.outreach import coverage_rules as rules
from lms.outreach.models import ShopLink, ShopReading
from lms.quizzes.models import BankQuestion
from lms.quizzes.queries import lesson_titles

# Never-reached shops and missed questions the page lists; the export holds them all.
PAGE_SHOP_LIMIT = 200
PAGE_QUESTION_LIMIT = 20


@dataclass(frozen=True)
class ShopLine:
    shop: Shop
    month: rules.ShopMonth
    never_reached: str | None  # rules.NO_LINK / NOT_OPENED, None: it has opened the pack once


@dataclass(frozen=True)
class Group:
    """A row of a grouped table: what it is (a unit, a manager, a kind, a star) and its tally."""

    key: Any
    label: str  # "" for shops with no grid, or no manager
    detail: str  # a manager's employee number
    unit: str  # a grid's county, a manager's grid
    tally: rules.Tally


@dataclass(frozen=True)
class MissedQuestion:
    misses: rules.QuestionMisses
    text: str | None  # the question's stem as it is now (None: the question is gone from the bank)
    lesson: str | None  # the title of the lesson the question belongs to


@dataclass(frozen=True)
class Coverage:
    period: str
    lines: list[ShopLine]
    questions: list[MissedQuestion]

    @cached_property
    def months(self) -> list[rules.ShopMonth]:
        return [line.month for line in self.lines]

    @cached_property
    def total(self) -> rules.Tally:
        return rules.tally(self.months)

    def _groups(self, key: Callable[[ShopLine], Any], describe: Callable[[ShopLine], tuple[str, str, str]],
                order: Callable[[Group], Any]) -> list[Group]:
        first: dict[Any, ShopLine] = {}
        for line in self.lines:
            first.setdefault(key(line), line)
        keys = {line.shop.id: key(line) for line in self.lines}
        tallies = rules.tally_by(self.months, lambda month: keys[month.shop_id])
        return sorted((Group(value, *describe(first[value]), found) for value, found in tallies.items()), key=order)

    @cached_property
    def by_county(self) -> list[Group]:
        return self._groups(lambda line: line.shop.grid.parent_id if line.shop.grid else None,
                            lambda line: (_county_name(line.shop), "", ""),
                            lambda group: (group.key is None, group.label))

    @cached_property
    def by_grid(self) -> list[Group]:
        return self._groups(lambda line: line.shop.grid_id,
                            lambda line: (line.shop.grid.name if line.shop.grid else "", "", _county_name(line.shop)),
                            lambda group: (group.key is None, group.unit, group.label))

    @cached_property
    def by_manager(self) -> list[Group]:
        def describe(line: ShopLine) -> tuple[str, str, str]:
            person = line.shop.manager
            if person is None:
                return "", "", ""
            return person.name, person.employee_no, person.grid.name if person.grid else ""

        # the least read first: the managers a supervisor should call first
        return self._groups(lambda line: line.shop.manager_id, describe,
                            lambda group: (group.key is None, group.tally.read_rate or 0.0,
                                           group.tally.reached_rate or 0.0, group.detail))

    @cached_property
    def by_kind(self) -> list[Group]:
        order = {kind: index for index, kind in enumerate(field_rules.SHOP_KINDS)}
        return self._groups(lambda line: line.shop.kind,
                            lambda line: (field_rules.SHOP_KIND_LABELS.get(line.shop.kind, line.shop.kind), "", ""),
                            lambda group: (order.get(group.key, len(order)), group.key))

    @cached_property
    def by_star(self) -> list[Group]:
        return self._groups(lambda line: line.shop.star, lambda line: (str(line.shop.star), "", ""),
                            lambda group: -group.key)

    @cached_property
    def never_reached(self) -> list[ShopLine]:
        """The shops never opened, by manager (none last) then code."""
        found = [line for line in self.lines if line.never_reached is not None]
        return sorted(found, key=lambda line: (line.shop.manager is None,
                                               line.shop.manager.employee_no if line.shop.manager else "",
                                               line.shop.code))


def _county_name(shop: Shop) -> str:
    county = shop.grid.parent if shop.grid is not None else None
    return county.name if county is not None else ""


def counted_shops(viewer: User, end: datetime, grid_id: int | None = None) -> Any:
    """The ids of the shops a month counts for ``viewer``: open, registered before the month's end, in scope."""
    stmt = select(Shop.id).where(shop_scope_clause(viewer), Shop.active.is_(True), Shop.created_at < end)
    if grid_id is not None:
        stmt = stmt.where(Shop.grid_id == grid_id)
    return stmt


def coverage(viewer: User, period: str, *, grid_id: int | None = None) -> Coverage:
    start, end = month_bounds(period)
    scoped = counted_shops(viewer, end, grid_id)
    shops = db.session.scalars(
        select(Shop).where(Shop.id.in_(scoped))
        .options(selectinload(Shop.grid).selectinload(Unit.parent),
                 selectinload(Shop.manager).selectinload(User.grid))
        .order_by(Shop.code)).all()
    linked_ever: set[int] = set()
    linked: set[int] = set()
    for shop_id, created_at, expires_at, revoked_at in db.session.execute(
            select(ShopLink.shop_id, ShopLink.created_at, ShopLink.expires_at, ShopLink.revoked_at)
            .where(ShopLink.shop_id.in_(scoped), ShopLink.created_at < end)):
        linked_ever.add(shop_id)
        if rules.in_force_during(created_at, expires_at, revoked_at, start, end):
            linked.add(shop_id)
    readings = {row.shop_id: row for row in db.session.execute(
        select(ShopReading.shop_id, ShopReading.confirmed_at, ShopReading.check_passed, ShopReading.check_results)
        .where(ShopReading.shop_id.in_(scoped), ShopReading.period == period))}
    opened_ever = set(db.session.scalars(select(ShopReading.shop_id).distinct()
                                         .where(ShopReading.shop_id.in_(scoped), ShopReading.period <= period)))
    lines = []
    for shop in shops:
        found = readings.get(shop.id)
        month = rules.shop_month(shop.id, kind=shop.kind, star=shop.star, grid_id=shop.grid_id,
                                 manager_id=shop.manager_id, linked=shop.id in linked, opened=found is not None,
                                 read=found is not None and found.confirmed_at is not None,
                                 passed=found is not None and bool(found.check_passed))
        lines.append(ShopLine(shop, month, rules.never_reached_reason(shop.id in linked_ever,
                                                                      shop.id in opened_ever)))
    misses = rules.question_misses(row.check_results for row in readings.values())
    return Coverage(period, lines, _with_texts(misses))


def _with_texts(misses: Sequence[rules.QuestionMisses]) -> list[MissedQuestion]:
    """Each question's stem and lesson, read in two statements for all of them."""
    wanted: dict[tuple[int, str], str] = {}
    for row in misses:
        bank, _colon, key = row.key.partition(":")
        if bank.isdigit() and key:
            wanted[(int(bank), key)] = row.key
    found: dict[str, BankQuestion] = {}
    if wanted:
        for question in db.session.scalars(select(BankQuestion).where(
                BankQuestion.bank_id.in_({bank for bank, _key in wanted}),
                BankQuestion.key.in_({key for _bank, key in wanted}))):
            if (question.bank_id, question.key) in wanted:
                found[wanted[(question.bank_id, question.key)]] = question
    titles = lesson_titles({q.lesson for q in found.values() if q.lesson})
    rows = []
    for row in misses:
        asked = found.get(row.key)
        stem = (asked.spec or {}).get("stem") if asked is not None else None
        lesson = titles.get(asked.lesson) if asked is not None and asked.lesson else None
        rows.append(MissedQuestion(row, stem if isinstance(stem, str) else None, lesson))
    return rows


# --- the process indicator ------------------------------------------------------------------------------------------

def due_and_read(user_ids: Sequence[int], period: str, until: date) -> dict[int, tuple[set[int], set[int]]]:
    """{manager: (shops due, shops that confirmed reading ``period``'s pack)} in one statement for all managers.
    Due: the manager's open shops registered before the month's end (or the end of ``until``, when the close runs
    before the month is over). A manager with no shop due is left out."""
    if not user_ids:
        return {}
    _start, end = month_bounds(period)
    cutoff = min(end, as_utc(datetime.combine(until + timedelta(days=1), time(), tzinfo=SHANGHAI)))
    found: dict[int, tuple[set[int], set[int]]] = {}
    for manager_id, shop_id, confirmed_at in db.session.execute(
            select(Shop.manager_id, Shop.id, ShopReading.confirmed_at)
            .outerjoin(ShopReading, and_(ShopReading.shop_id == Shop.id, ShopReading.period == period))
            .where(Shop.manager_id.in_(list(user_ids)), Shop.active.is_(True), Shop.created_at < cutoff)):
        if manager_id is None:  # never: the statement asks for managers' shops
            continue
        due, read = found.setdefault(manager_id, (set(), set()))
        due.add(shop_id)
        if confirmed_at is not None:
            read.add(shop_id)
    return found


# --- the export -----------------------------------------------------------------------------------------------------

TALLY_HEADERS = ["渠道数", "已触达", "触达率(%)", "已打开", "打开率(%)", "已确认学习", "确认率(%)", "测验通过",
                 "通过率(%)"]
NEVER_HEADERS = ["渠道名称", "渠道编码", "类型", "星级", "县区", "网格", "负责人", "工号", "原因"]
QUESTION_HEADERS = ["题目", "所属课程", "作答门店数", "答错门店数", "错误率(%)", "题目编号"]


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def tally_cells(found: rules.Tally) -> list[Any]:
    return [found.total, found.reached, _percent(found.reached_rate), found.opened, _percent(found.opened_rate),
            found.read, _percent(found.read_rate), found.passed, _percent(found.passed_rate)]


UNASSIGNED = "未分配"


def group_rows(groups: Sequence[Group], *columns: str) -> list[list[Any]]:
    """Grouped tallies as rows: the group's ``columns`` (of label, detail, unit), then the tally."""
    return [[*(getattr(group, column) or (UNASSIGNED if column == "label" else "") for column in columns),
             *tally_cells(group.tally)] for group in groups]


def never_rows(found: Coverage) -> list[list[Any]]:
    rows = []
    for line in found.never_reached:
        shop = line.shop
        rows.append([shop.name, shop.code, field_rules.SHOP_KIND_LABELS.get(shop.kind, shop.kind), shop.star,
                     _county_name(shop), shop.grid.name if shop.grid else "",
                     shop.manager.name if shop.manager else "", shop.manager.employee_no if shop.manager else "",
                     rules.NEVER_REACHED_LABELS[line.never_reached or rules.NO_LINK]])
    return rows


def question_rows(found: Coverage) -> list[list[Any]]:
    return [[q.text or "", q.lesson or "", q.misses.asked, q.misses.missed, _percent(q.misses.rate), q.misses.key]
            for q in found.questions]
