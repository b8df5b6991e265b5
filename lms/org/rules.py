"""Pure rules about the organisation's units: names, moves and deactivation. No Flask, no SQLAlchemy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

CITY, COUNTY, GRID = "city", "county", "grid"
KIND_LABELS = {CITY: "市公司", COUNTY: "县区", GRID: "网格"}
NAME_MAX = 100

# Why a unit may not be deactivated or moved. Stable codes; REFUSAL_REASONS says them to people.
REFUSED_CITY = "city"
REFUSED_ACTIVE_PEOPLE = "active_people"
REFUSED_ACTIVE_GRIDS = "active_grids"
REFUSED_OPEN_SESSIONS = "open_sessions"
REFUSED_ACTIVE_ROBOTS = "active_robots"
REFUSED_NOT_A_GRID = "not_a_grid"
REFUSED_NOT_A_COUNTY = "not_a_county"
REFUSED_SAME_COUNTY = "same_county"
REFUSED_INACTIVE_TARGET = "inactive_target"
REFUSED_INACTIVE_PARENT = "inactive_parent"
NAME_EMPTY = "name_empty"
NAME_TOO_LONG = "name_too_long"
NAME_TAKEN = "name_taken"
REFUSAL_REASONS = {
    NAME_EMPTY: "请填写名称",
    NAME_TOO_LONG: "名称不能超过100个字符",
    NAME_TAKEN: "同一上级下已有同名单位",
    REFUSED_CITY: "市公司不能停用",
    REFUSED_ACTIVE_PEOPLE: "该单位还有在职人员，请先把他们调到其他单位",
    REFUSED_ACTIVE_GRIDS: "该县区下还有在用的网格，请先停用或调走这些网格",
    REFUSED_OPEN_SESSIONS: "该县区还有未结束的培训安排",
    REFUSED_ACTIVE_ROBOTS: "还有绑定该单位的群机器人在用",
    REFUSED_NOT_A_GRID: "只有网格可以调整所属县区",
    REFUSED_NOT_A_COUNTY: "网格只能调到县区之下",
    REFUSED_SAME_COUNTY: "网格已在该县区之下",
    REFUSED_INACTIVE_TARGET: "不能调到已停用的县区",
    REFUSED_INACTIVE_PARENT: "所属县区已停用，请先启用县区",
}


@dataclass(frozen=True)
class UnitLoad:
    """What still depends on a unit: counted by the caller, judged here."""

    kind: str
    active_people: int = 0
    active_grids: int = 0
    open_sessions: int = 0
    active_robots: int = 0


def deactivation_refusals(load: UnitLoad) -> list[str]:
    """Every reason (REFUSED_* codes, in a fixed order) the unit may not be deactivated; empty when it may."""
    if load.kind == CITY:
        return [REFUSED_CITY]
    reasons = []
    if load.active_people:
        reasons.append(REFUSED_ACTIVE_PEOPLE)
    if load.active_grids:
        reasons.append(REFUSED_ACTIVE_GRIDS)
    if load.open_sessions:
        reasons.append(REFUSED_OPEN_SESSIONS)
    if load.active_robots:
        reasons.append(REFUSED_ACTIVE_ROBOTS)
    return reasons


def move_refusal(*, kind: str, parent_id: int | None, target_kind: str, target_id: int,
                 target_active: bool) -> str | None:
    """Why a unit may not move under ``target`` (a REFUSED_* code), or None: only a grid moves, to another active
    county."""
    if kind != GRID:
        return REFUSED_NOT_A_GRID
    if target_kind != COUNTY:
        return REFUSED_NOT_A_COUNTY
    if not target_active:
        return REFUSED_INACTIVE_TARGET
    if target_id == parent_id:
        return REFUSED_SAME_COUNTY
    return None


def reactivation_refusal(*, kind: str, parent_active: bool) -> str | None:
    """A grid comes back only under an active county."""
    if kind == GRID and not parent_active:
        return REFUSED_INACTIVE_PARENT
    return None


def name_problem(name: str, *, siblings: Iterable[str]) -> str | None:
    """Why ``name`` (already stripped) cannot name a unit beside ``siblings`` (the other units' names under the
    same parent, of the same kind, active or not: history names them), or None. A NAME_* code."""
    if not name:
        return NAME_EMPTY
    if len(name) > NAME_MAX:
        return NAME_TOO_LONG
    if name in set(siblings):
        return NAME_TAKEN
    return None
