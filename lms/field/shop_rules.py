"""The shop registry's rules, pure: a shop's values and their checks, reading an import file's rows, and what
importing them would change (the preview). No Flask, no SQLAlchemy.

An import file names a shop's grid by its county and grid names and its manager by employee number; the service
looks those up and passes them in, so every problem of a file (a bad value, an unknown grid, a manager who is not
an active channel manager) is found before anything is written, each naming its row.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import timedelta

from lms.core import tabular
from lms.field.rules import BUSINESS, STARS, TERMINAL, VILLAGE, valid_position

HEADER_ALIASES = {
    "code": "code", "渠道编码": "code",
    "name": "name", "渠道名称": "name",
    "kind": "kind", "类型": "kind",
    "star": "star", "星级": "star",
    "address": "address", "地址": "address",
    "latitude": "latitude", "纬度": "latitude",
    "longitude": "longitude", "经度": "longitude",
    "county": "county", "县区": "county",
    "grid": "grid", "网格": "grid",
    "manager_employee_no": "manager_no", "负责人工号": "manager_no",
}
REQUIRED_COLUMNS = ("code", "name", "kind", "star")
# The Chinese header, in the template's order (the English one is the HEADER_ALIASES keys people type).
TEMPLATE_HEADER = ("渠道编码", "渠道名称", "类型", "星级", "地址", "纬度", "经度", "县区", "网格", "负责人工号")
KIND_ALIASES = {
    TERMINAL: TERMINAL, "终端": TERMINAL, "终端渠道": TERMINAL,
    BUSINESS: BUSINESS, "业务": BUSINESS, "业务渠道": BUSINESS,
    VILLAGE: VILLAGE, "村级": VILLAGE, "村级渠道": VILLAGE,
}
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
NAME_MAX, ADDRESS_MAX = 100, 200
# A history row's fields: what the visit rules and the ownership hang on.
TRACKED_FIELDS = ("star", "kind", "grid", "manager", "active")
# The fields a preview shows, in order ("position" is latitude and longitude together).
SHOP_FIELDS = ("name", "kind", "star", "address", "position", "grid", "manager", "active")
SHOP_PREVIEW_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class ShopValues:
    """A shop as the registry and its files see it: plain values, the grid as (county, grid) names, the manager
    by employee number."""

    name: str
    kind: str
    star: int
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    county: str | None = None
    grid: str | None = None
    manager_no: str | None = None
    active: bool = True

    def shown(self, field: str) -> str | bool | None:
        """One of SHOP_FIELDS as a comparable value."""
        if field == "position":
            return position_text(self.latitude, self.longitude)
        if field == "grid":
            return unit_text(self.county, self.grid)
        if field == "manager":
            return self.manager_no
        value = getattr(self, field)
        return value if isinstance(value, bool) or value is None else str(value)


def unit_text(county: str | None, grid: str | None) -> str | None:
    return f"{county} / {grid}" if county and grid else None


def position_text(latitude: float | None, longitude: float | None) -> str | None:
    return f"{latitude:.6f}, {longitude:.6f}" if latitude is not None and longitude is not None else None


def kind_of(text: str) -> str | None:
    """A kind code from a code or its Chinese name (终端 / 终端渠道 …), else None."""
    return KIND_ALIASES.get(text.strip()) or KIND_ALIASES.get(text.strip().lower())


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None  # NaN and infinity are no coordinates


def value_problems(*, name: str, kind: str | None, kind_text: str, star_text: str, address: str,
                   latitude_text: str, longitude_text: str, county: str | None,
                   grid: str | None) -> tuple[int | None, float | None, float | None, list[str]]:
    """The star and coordinates parsed, and every reason the values are not acceptable (stripped texts in)."""
    reasons: list[str] = []
    if not name or len(name) > NAME_MAX:
        reasons.append(f"渠道名称为空或超过{NAME_MAX}个字符")
    if kind is None:
        reasons.append(f"类型“{kind_text}”无效（终端/业务/村级）")
    star = int(star_text) if star_text.isdigit() and int(star_text) in STARS else None
    if star is None:
        reasons.append(f"星级“{star_text}”无效（1-5）")
    if len(address) > ADDRESS_MAX:
        reasons.append(f"地址超过{ADDRESS_MAX}个字符")
    latitude = _number(latitude_text) if latitude_text else None
    longitude = _number(longitude_text) if longitude_text else None
    if bool(latitude_text) != bool(longitude_text):
        reasons.append("纬度和经度须同时填写或同时留空")
    elif latitude_text and not valid_position(latitude, longitude):
        reasons.append(f"坐标“{latitude_text}, {longitude_text}”无效（纬度-90~90，经度-180~180）")
    if bool(county) != bool(grid):
        reasons.append("县区和网格须同时填写或同时留空")
    return star, latitude, longitude, reasons


# --- reading a file's rows -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ShopRow:
    row: int
    code: str
    values: ShopValues


@dataclass(frozen=True)
class ShopParse:
    rows: list[ShopRow]
    problems: list[str]


def map_header(cells: Sequence[str]) -> tuple[dict[str, int], list[str]]:
    return tabular.map_header(cells, HEADER_ALIASES, REQUIRED_COLUMNS)


def parse_shop_rows(header: Sequence[str], body: Sequence[tuple[int, Sequence[str]]]) -> ShopParse:
    """Every row checked; every problem named by its row (1-based, the header is row 1)."""
    positions, problems = map_header(header)
    if problems:
        return ShopParse([], problems)
    rows: list[ShopRow] = []
    seen: dict[str, int] = {}
    for number, values in body:
        if not any((v or "").strip() for v in values):
            continue

        def cell(key: str, values: Sequence[str] = values) -> str:
            index = positions.get(key)
            return (values[index] or "").strip() if index is not None and index < len(values) else ""

        code, kind_text = cell("code"), cell("kind")
        kind = kind_of(kind_text)
        county, grid = cell("county") or None, cell("grid") or None
        star, latitude, longitude, reasons = value_problems(
            name=cell("name"), kind=kind, kind_text=kind_text, star_text=cell("star"), address=cell("address"),
            latitude_text=cell("latitude"), longitude_text=cell("longitude"), county=county, grid=grid)
        if not CODE_RE.match(code):
            reasons.insert(0, f"渠道编码“{code}”无效（1-32位字母、数字、-或_）")
        elif code in seen:
            reasons.insert(0, f"渠道编码“{code}”与第{seen[code]}行重复")
        if reasons:
            problems.append(f"第{number}行：" + "；".join(reasons))
            continue
        assert kind is not None  # noqa: S101 - narrowed by the checks above
        assert star is not None  # noqa: S101
        seen[code] = number
        rows.append(ShopRow(number, code, ShopValues(
            name=cell("name"), kind=kind, star=star, address=cell("address"), latitude=latitude,
            longitude=longitude, county=county, grid=grid, manager_no=cell("manager_no") or None)))
    if not rows and not problems:
        problems.append("文件中没有数据行")
    return ShopParse(rows, problems)


# --- what an import would change -------------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldChange:
    field: str  # one of SHOP_FIELDS
    before: str | bool | None
    after: str | bool | None


@dataclass(frozen=True)
class ShopAddition:
    row: int
    code: str
    values: ShopValues


@dataclass(frozen=True)
class ShopChange:
    row: int
    code: str
    before: ShopValues
    after: ShopValues
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class ShopDiff:
    additions: tuple[ShopAddition, ...]
    changes: tuple[ShopChange, ...]
    unchanged: int


@dataclass(frozen=True)
class References:
    """What the rows may name: grids as (county, grid) names; active channel managers by employee number."""

    grids: frozenset[tuple[str, str]]
    managers: frozenset[str]


def reference_problems(rows: Sequence[ShopRow], references: References) -> list[str]:
    problems = []
    for row in rows:
        reasons = []
        values = row.values
        if values.county and values.grid and (values.county, values.grid) not in references.grids:
            reasons.append(f"网格“{unit_text(values.county, values.grid)}”不存在（请先在组织架构中添加）")
        if values.manager_no and values.manager_no not in references.managers:
            reasons.append(f"负责人工号“{values.manager_no}”不是在职的渠道经理")
        if reasons:
            problems.append(f"第{row.row}行：" + "；".join(reasons))
    return problems


def changes_between(before: ShopValues, after: ShopValues) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(field, before.shown(field), after.shown(field)) for field in SHOP_FIELDS
                 if before.shown(field) != after.shown(field))


def diff_shops(current: Mapping[str, ShopValues], rows: Sequence[ShopRow]) -> ShopDiff:
    """Rows whose code is new are additions; the others update the shop of that code (a closed shop listed again
    is reopened: the file says it sells)."""
    additions, changes = [], []
    unchanged = 0
    for row in rows:
        before = current.get(row.code)
        if before is None:
            additions.append(ShopAddition(row.row, row.code, row.values))
            continue
        after = replace(row.values, active=True)
        found = changes_between(before, after)
        if found:
            changes.append(ShopChange(row.row, row.code, before, after, found))
        else:
            unchanged += 1
    return ShopDiff(tuple(additions), tuple(changes), unchanged)


def shop_diff_digest(diff: ShopDiff) -> str:
    """A fingerprint of what a preview showed: a confirmation writes only if the fresh diff has the same one."""
    return hashlib.sha256(json.dumps(asdict(diff), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def template_rows() -> list[list[str]]:
    """The template's header and two example rows."""
    return [list(TEMPLATE_HEADER),
            ["QD0001", "东城手机大卖场", "终端", "4", "东城路1号", "30.274", "120.155", "城区", "东城网格", "M0001"],
            ["QD0002", "西湖村服务点", "村级", "2", "西湖村", "", "", "城区", "东城网格", ""]]

