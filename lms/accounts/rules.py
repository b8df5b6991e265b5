"""Pure rules about people: roles, scopes and roster rows. No Flask, no SQLAlchemy."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    positions: dict[str, int] = {}
    problems: list[str] = []
    for index, cell in enumerate(cells):
        label = (cell or "").strip().lstrip("\ufeff")
        if not label:
            continue
        key = HEADER_ALIASES.get(label) or HEADER_ALIASES.get(label.lower())
        if key is None:
            problems.append(f"第1行（表头）：未知列“{label}”")
        elif key in positions:
            problems.append(f"第1行（表头）：列“{label}”重复")
        else:
            positions[key] = index
    for column in REQUIRED_COLUMNS:
        if column not in positions:
            problems.append(f"第1行（表头）：缺少必需列“{column}”")
    return positions, problems


def parse_roster_rows(header: list[str], body: list[tuple[int, list[str]]]) -> RosterParse:  # noqa: PLR0912 - one check per column reads best as a flat list
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
        reasons: list[str] = []
        if not EMPLOYEE_NO_RE.match(employee_no):
            reasons.append(f"工号“{employee_no}”无效（2-32位字母、数字、-或_）")
        elif employee_no in seen:
            reasons.append(f"工号“{employee_no}”与第{seen[employee_no]}行重复")
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
        if reasons:
            problems.append(f"第{number}行：" + "；".join(reasons))
            continue
        assert role is not None  # noqa: S101 - narrowed by the check above
        seen[employee_no] = number
        rows.append(RosterRow(number, employee_no, name, role, county, grid, phone))
    if not rows and not problems:
        problems.append("文件中没有数据行")
    return RosterParse(rows, problems)
