from __future__ import annotations

from lms.org import rules


def test_deactivation_names_every_reason_and_never_the_city():
    assert rules.deactivation_refusals(rules.UnitLoad("city")) == [rules.REFUSED_CITY]
    assert rules.deactivation_refusals(rules.UnitLoad("grid")) == []
    load = rules.UnitLoad("county", active_people=3, active_grids=1, open_sessions=1, active_robots=1)
    assert rules.deactivation_refusals(load) == [rules.REFUSED_ACTIVE_PEOPLE, rules.REFUSED_ACTIVE_GRIDS,
                                                 rules.REFUSED_OPEN_SESSIONS, rules.REFUSED_ACTIVE_ROBOTS]


def test_only_a_grid_moves_to_another_active_county():
    def move(**kw):
        return rules.move_refusal(**{"kind": "grid", "parent_id": 1, "target_kind": "county", "target_id": 2,
                                     "target_active": True, **kw})
    assert move() is None
    assert move(kind="county") == rules.REFUSED_NOT_A_GRID
    assert move(target_kind="grid") == rules.REFUSED_NOT_A_COUNTY
    assert move(target_active=False) == rules.REFUSED_INACTIVE_TARGET
    assert move(target_id=1) == rules.REFUSED_SAME_COUNTY
    assert rules.reactivation_refusal(kind="grid", parent_active=False) == rules.REFUSED_INACTIVE_PARENT


def test_names():
    assert rules.name_problem("", siblings=[]) == rules.NAME_EMPTY
    assert rules.name_problem("x" * 101, siblings=[]) == rules.NAME_TOO_LONG
    assert rules.name_problem("东城网格", siblings=["东城网格"]) == rules.NAME_TAKEN
    assert rules.name_problem("南城网格", siblings=["东城网格"]) is None
