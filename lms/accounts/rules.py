"""Pure rules about people: roles, scopes and roster rows. No Flask, no SQLAlchemy."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta

from lms.core import tabular

MANAGER, TRAINER, SUPERVISOR, ADMIN = "manager", "trainer", "supervisor", "admin"
ROLES = (MANAGER, TRAINER, SUPERVISOR, ADMIN)
ROLE_ALIASES = {
    "manager": MANAGER, "渠道经理": MANAGER, "经理": MANAGER,
    "trainer": TRAINER, "培训师": TRAINER, "讲师": TRAINER,
    "supervisor": SUPERVISOR, "主管": SUPERVISOR,
    "admin": ADMIN, "管理员": ADMIN,
}
ROLE_LABELS = {MANAGER: "渠道经理", TRAINER: "培训师", SUPERVISOR: "主管", ADMIN: "管理员"}

ALL, COUNTY_SCOPE, GRID_SCOPE, SELF = "all", "county", "grid", "self"


@dataclass(frozen=True)
class Scope:
    """Whose records a person may see: everyone, one county, one grid, or only themselves."""

    kind: str
    county_id: int | None = None
    grid_id: int | None = None
    user_id: int | None = None

    def covers(self, *, user_id: int, county_id: int | None, grid_id: int | None) -> bool:
        if self.kind == ALL:
            return True
        if self.kind == COUNTY_SCOPE:
            return county_id is not None and county_id == self.county_id
        if self.kind == GRID_SCOPE:
            return grid_id is not None and grid_id == self.grid_id
        return user_id == self.user_id


def scope_for(*, role: str, user_id: int, county_id: int | None, grid_id: int | None) -> Scope:
    """A supervisor sees their grid if they have one, else their county, else the whole city.

    Trainers and admins work for the whole city; a channel manager sees only themselves.
    """
    if role in (ADMIN, TRAINER):
        return Scope(ALL)
    if role == SUPERVISOR:
        if grid_id is not None:
            return Scope(GRID_SCOPE, county_id=county_id, grid_id=grid_id)
        if county_id is not None:
            return Scope(COUNTY_SCOPE, county_id=county_id)
        return Scope(ALL)
    return Scope(SELF, user_id=user_id)


# --- roster rows -------------------------------------------------------------------------------------------------

HEADER_ALIASES = {
    "employee_no": "employee_no", "工号": "employee_no",
    "name": "name", "姓名": "name",
    "role": "role", "角色": "role",
    "county": "county", "县区": "county",
    "grid": "grid", "网格": "grid",
    "phone": "phone", "手机": "phone", "手机号": "phone",
}
REQUIRED_COLUMNS = ("employee_no", "name", "role")
EMPLOYEE_NO_RE = re.compile(r"^[A-Za-z0-9_-]{2,32}$")
PHONE_RE = re.compile(r"^1\d{10}$")


@dataclass(frozen=True)
class RosterRow:
    row: int
    employee_no: str
    name: str
    role: str
    county: str | None
    grid: str | None
    phone: str | None


@dataclass(frozen=True)
class RosterParse:
    rows: list[RosterRow]
    problems: list[str]


def map_header(cells: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column positions by canonical name, and problems with the header (missing or unknown columns)."""
    return tabular.map_header(cells, HEADER_ALIASES, REQUIRED_COLUMNS)


def person_problems(employee_no: str, name: str, role_text: str, *, county: str | None, grid: str | None,
                    phone: str | None) -> tuple[str | None, list[str]]:
    """The role (a code, from a code or an alias) and every reason one person's values are not acceptable: the
    checks of a roster row, also those of a person added or edited on the admin pages. Values already stripped."""
    reasons: list[str] = []
    if not EMPLOYEE_NO_RE.match(employee_no):
        reasons.append(f"工号“{employee_no}”无效（2-32位字母、数字、-或_）")
    if not name or len(name) > 50:
        reasons.append("姓名为空或超过50个字符")
    role = ROLE_ALIASES.get(role_text) or ROLE_ALIASES.get(role_text.lower())
    if role is None:
        reasons.append(f"角色“{role_text}”无效（manager/trainer/supervisor/admin）")
    if role == MANAGER and (county is None or grid is None):
        reasons.append("渠道经理必须填写县区和网格")
    if grid is not None and county is None:
        reasons.append("填写了网格却没有填写县区")
    if phone is not None and not PHONE_RE.match(phone):
        reasons.append(f"手机号“{phone}”无效（11位数字）")
    for label, value in (("县区", county), ("网格", grid)):
        if value is not None and len(value) > 100:
            reasons.append(f"{label}名称超过100个字符")
    return role, reasons


def parse_roster_rows(header: list[str], body: list[tuple[int, list[str]]]) -> RosterParse:
    """Validate every row; collect every problem with its row number (1-based, the header is row 1)."""
    positions, problems = map_header(header)
    if problems:
        return RosterParse([], problems)
    rows: list[RosterRow] = []
    seen: dict[str, int] = {}

    def cell(values: list[str], key: str) -> str:
        index = positions.get(key)
        if index is None or index >= len(values):
            return ""
        return (values[index] or "").strip()

    for number, values in body:
        if not any((v or "").strip() for v in values):
            continue  # blank lines are not rows
        employee_no = cell(values, "employee_no")
        name = cell(values, "name")
        role_text = cell(values, "role")
        county = cell(values, "county") or None
        grid = cell(values, "grid") or None
        phone = cell(values, "phone") or None
        role, reasons = person_problems(employee_no, name, role_text, county=county, grid=grid, phone=phone)
        if employee_no in seen and EMPLOYEE_NO_RE.match(employee_no):
            reasons.insert(0, f"工号“{employee_no}”与第{seen[employee_no]}行重复")
        if reasons:
            problems.append(f"第{number}行：" + "；".join(reasons))
            continue
        assert role is not None  # noqa: S101 - narrowed by the check above
        seen[employee_no] = number
        rows.append(RosterRow(number, employee_no, name, role, county, grid, phone))
    if not rows and not problems:
        problems.append("文件中没有数据行")
    return RosterParse(rows, problems)


# --- Sessions ----------------------------------------------------------------------------------------------------

# (marker in the User-Agent, name shown), first match wins: the order puts the browsers built on Chrome before it,
# and Chrome before Safari (Chrome's agent names Safari too). WeChat's and the Chinese vendors' browsers are named,
# being what channel managers' phones run.
_BROWSERS = (
    ("MicroMessenger/", "微信"), ("wxwork/", "企业微信"), ("DingTalk/", "钉钉"), ("QQ/", "QQ"),
    ("MQQBrowser/", "QQ浏览器"), ("QQBrowser/", "QQ浏览器"), ("UCBrowser/", "UC浏览器"), ("Quark/", "夸克"),
    ("HuaweiBrowser/", "华为浏览器"), ("HeyTapBrowser/", "OPPO浏览器"), ("VivoBrowser/", "vivo浏览器"),
    ("MiuiBrowser/", "小米浏览器"), ("SamsungBrowser/", "Samsung Internet"), ("Edg/", "Edge"), ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"), ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"), ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("HarmonyOS", "HarmonyOS"), ("OpenHarmony", "HarmonyOS"), ("Android", "Android"), ("iPhone", "iOS"),
    ("iPad", "iPadOS"), ("Windows", "Windows"), ("CrOS", "ChromeOS"), ("Macintosh", "macOS"), ("Linux", "Linux"),
)


def device_label(user_agent: str) -> str:
    """A short readable name for the browser and system of a User-Agent ("Chrome · Android"), or "" when neither
    is recognised. Only for people to tell their sessions apart: a User-Agent is what the client says it is."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    return " · ".join(part for part in (browser, system) if part)


# --- roster changes: what an import would do, and the guards on roles -------------------------------------------

# Why a roster row (or a deactivation) is refused. Stable codes; REFUSAL_REASONS says them to people.
REFUSED_OWN_ROLE = "own_role"
REFUSED_OWN_DEACTIVATION = "own_deactivation"
REFUSED_LAST_ADMIN = "last_admin"
REFUSED_ADMIN_UNCONFIRMED = "admin_unconfirmed"
REFUSED_OWN_ROLE_EDIT = "own_role_edit"
REFUSAL_REASONS = {
    REFUSED_OWN_ROLE_EDIT: "不能修改自己的角色",
    REFUSED_OWN_ROLE: "不能通过名单修改自己的角色",
    REFUSED_OWN_DEACTIVATION: "不能停用自己",
    REFUSED_LAST_ADMIN: "不能降级或停用最后一位在职管理员",
    REFUSED_ADMIN_UNCONFIRMED: "涉及管理员权限，需另行勾选确认",
}
# The fields a roster sets, in the order a preview shows them. "unit" is the county and grid together.
ROSTER_FIELDS = ("name", "role", "unit", "phone", "active")


@dataclass(frozen=True)
class Person:
    """A person as the roster sees them: plain values, units by name."""

    employee_no: str
    name: str
    role: str
    county: str | None = None
    grid: str | None = None
    phone: str | None = None
    active: bool = True


def unit_text(county: str | None, grid: str | None) -> str | None:
    """"城区 / 东城网格", "城区", or None for the whole city."""
    parts = [part for part in (county, grid) if part]
    return " / ".join(parts) if parts else None


@dataclass(frozen=True)
class FieldChange:
    field: str  # one of ROSTER_FIELDS
    before: str | bool | None
    after: str | bool | None


@dataclass(frozen=True)
class RosterAddition:
    row: int
    person: Person
    kind = "addition"  # a class attribute, not a field: lets a template tell the three apart

    @property
    def grants_admin(self) -> bool:
        return self.person.role == ADMIN


@dataclass(frozen=True)
class RosterChange:
    row: int
    before: Person
    after: Person
    changes: tuple[FieldChange, ...]
    kind = "change"

    def field(self, name: str) -> FieldChange | None:
        return next((change for change in self.changes if change.field == name), None)

    @property
    def grants_admin(self) -> bool:
        """Someone who cannot act as an admin now could after the change."""
        return self.after.role == ADMIN and not (self.before.role == ADMIN and self.before.active)

    @property
    def removes_admin(self) -> bool:
        """An active admin who would no longer be one."""
        return self.before.role == ADMIN and self.before.active and self.after.role != ADMIN


@dataclass(frozen=True)
class RosterDeactivation:
    person: Person
    kind = "deactivation"

    @property
    def removes_admin(self) -> bool:
        return self.person.role == ADMIN


@dataclass(frozen=True)
class RosterRefusal:
    """A row (or a deactivation: row None) that will not be written, and why (a REFUSED_* code)."""

    row: int | None
    employee_no: str
    name: str
    code: str
    item: RosterAddition | RosterChange | RosterDeactivation

    @property
    def reason(self) -> str:
        return REFUSAL_REASONS[self.code]


@dataclass(frozen=True)
class RosterDiff:
    """What an import would write: additions, changes (field by field), deactivations, and what it refuses."""

    additions: tuple[RosterAddition, ...]
    changes: tuple[RosterChange, ...]
    deactivations: tuple[RosterDeactivation, ...]
    refusals: tuple[RosterRefusal, ...]
    unchanged: int

    @property
    def is_empty(self) -> bool:
        return not (self.additions or self.changes or self.deactivations)

    @property
    def admin_items(self) -> list[RosterAddition | RosterChange | RosterDeactivation]:
        """The writes that give or take away admin access: each needs an admin's explicit confirmation."""
        items: list[RosterAddition | RosterChange | RosterDeactivation] = [
            *self.additions, *self.changes, *self.deactivations]
        return [item for item in items if touches_admin(item)]

    def count(self, field: str) -> int:
        return sum(1 for change in self.changes if change.field(field) is not None)


def touches_admin(item: RosterAddition | RosterChange | RosterDeactivation) -> bool:
    if isinstance(item, RosterAddition):
        return item.grants_admin
    if isinstance(item, RosterChange):
        return item.grants_admin or item.removes_admin
    return item.removes_admin


def _roster_person(row: RosterRow) -> Person:
    return Person(row.employee_no, row.name, row.role, row.county, row.grid, row.phone, True)


def _field_changes(before: Person, after: Person) -> tuple[FieldChange, ...]:
    pairs: list[tuple[str, str | bool | None, str | bool | None]] = [
        ("name", before.name, after.name),
        ("role", before.role, after.role),
        ("unit", unit_text(before.county, before.grid), unit_text(after.county, after.grid)),
        ("phone", before.phone, after.phone),
        ("active", before.active, after.active),
    ]
    return tuple(FieldChange(field, old, new) for field, old, new in pairs if old != new)


def diff_roster(
    current: Iterable[Person],
    rows: Sequence[RosterRow],
    *,
    actor: str | None,
    admin_confirmed: bool,
    deactivate_missing: frozenset[str] = frozenset(),
) -> RosterDiff:
    """Compare the people there are with a parsed roster (rows already valid and unique).

    A row for someone new adds them; a row for someone known changes what differs (and reactivates a deactivated
    person: the roster lists the people who work here). People missing from the file are deactivated only when their
    role is in ``deactivate_missing`` (a full roster of those roles). Guards, in order: ``actor`` (the importing
    person's employee number; None on the command line) cannot change their own role or deactivate themselves;
    anything that gives or takes away admin access is refused unless ``admin_confirmed``; and the last active admin
    is never demoted or deactivated (the last such writes in file order are refused). A refused row writes nothing.
    """
    known = {person.employee_no: person for person in current}
    listed = {row.employee_no for row in rows}
    unchanged = 0
    planned: list[RosterAddition | RosterChange | RosterDeactivation] = []
    refused: list[RosterRefusal] = []

    def refuse(item: RosterAddition | RosterChange | RosterDeactivation, code: str) -> None:
        if isinstance(item, RosterDeactivation):
            refused.append(RosterRefusal(None, item.person.employee_no, item.person.name, code, item))
        else:
            person = item.person if isinstance(item, RosterAddition) else item.after
            refused.append(RosterRefusal(item.row, person.employee_no, person.name, code, item))

    for row in rows:
        after = _roster_person(row)
        before = known.get(row.employee_no)
        if before is None:
            planned.append(RosterAddition(row.row, after))
            continue
        changes = _field_changes(before, after)
        if not changes:
            unchanged += 1
            continue
        change = RosterChange(row.row, before, after, changes)
        if actor == row.employee_no and change.field("role") is not None:
            refuse(change, REFUSED_OWN_ROLE)
        else:
            planned.append(change)
    for person in known.values():
        if person.active and person.role in deactivate_missing and person.employee_no not in listed:
            deactivation = RosterDeactivation(person)
            if actor == person.employee_no:
                refuse(deactivation, REFUSED_OWN_DEACTIVATION)
            else:
                planned.append(deactivation)
    if not admin_confirmed:
        for item in [item for item in planned if touches_admin(item)]:
            planned.remove(item)
            refuse(item, REFUSED_ADMIN_UNCONFIRMED)
    # The last active admin: count the admins left once everything planned is written; refuse removals from the end.
    removals = [item for item in planned
                if isinstance(item, RosterChange | RosterDeactivation) and item.removes_admin]
    grants = sum(1 for item in planned if isinstance(item, RosterAddition | RosterChange) and item.grants_admin)
    admins_left = sum(1 for p in known.values() if p.role == ADMIN and p.active) - len(removals) + grants
    while admins_left < 1 and removals:
        item = removals.pop()
        planned.remove(item)
        refuse(item, REFUSED_LAST_ADMIN)
        admins_left += 1
    refused.sort(key=lambda refusal: (refusal.row is None, refusal.row or 0, refusal.employee_no))
    return RosterDiff(
        additions=tuple(item for item in planned if isinstance(item, RosterAddition)),
        changes=tuple(item for item in planned if isinstance(item, RosterChange)),
        deactivations=tuple(item for item in planned if isinstance(item, RosterDeactivation)),
        refusals=tuple(refused),
        unchanged=unchanged,
    )


def roster_diff_digest(diff: RosterDiff) -> str:
    """A fingerprint of what a preview showed: a confirmation is written only if the fresh diff has the same one."""
    return hashlib.sha256(json.dumps(asdict(diff), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def refuse_deactivation(person: Person, *, actor: str | None, active_admins: int) -> str | None:
    """Why an admin may not deactivate ``person`` (a REFUSED_* code), or None: not themselves, not the last admin."""
    if not person.active:
        return None
    if actor is not None and actor == person.employee_no:
        return REFUSED_OWN_DEACTIVATION
    if person.role == ADMIN and active_admins <= 1:
        return REFUSED_LAST_ADMIN
    return None


def refuse_edit(before: Person, after: Person, *, actor: str | None, active_admins: int) -> str | None:
    """Why an admin may not change ``before`` into ``after`` on the person's page (a REFUSED_* code), or None: the
    roster's guards, one person at a time: nobody changes their own role, and the last active admin stays one."""
    if before.role == after.role:
        return None
    if actor is not None and actor == before.employee_no:
        return REFUSED_OWN_ROLE_EDIT
    if before.role == ADMIN and before.active and active_admins <= 1:
        return REFUSED_LAST_ADMIN
    return None


# A roster upload waits this long for its confirmation; after that it must be uploaded again.
ROSTER_PREVIEW_TTL = timedelta(minutes=30)
