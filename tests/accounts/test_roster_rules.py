"""The roster's diff and its guards, on plain values: who is added, changed (field by field), deactivated, refused."""

from __future__ import annotations

import pytest

from lms.accounts import rules
from lms.accounts.rules import Person, RosterRow, diff_roster

ADMIN = Person("A0001", "管理员甲", "admin")
OTHER_ADMIN = Person("A0002", "管理员乙", "admin")
MANAGER = Person("M1001", "王伟", "manager", "城区", "东城网格", "13800000001")


def row(number: int, employee_no: str, name: str, role: str, *more: str | None) -> RosterRow:
    """A valid roster row; ``more`` is county, grid, phone, as far as given."""
    county, grid, phone = (*more, None, None, None)[:3]
    return RosterRow(number, employee_no, name, role, county, grid, phone)


def diff(current, rows, *, actor="A0001", admin_confirmed=False, deactivate_missing=frozenset()):
    return diff_roster(current, rows, actor=actor, admin_confirmed=admin_confirmed,
                       deactivate_missing=deactivate_missing)


def codes(result):
    return [(r.employee_no, r.code) for r in result.refusals]


def test_new_person_is_an_addition_and_the_same_person_is_unchanged():
    result = diff([MANAGER], [row(2, "M1001", "王伟", "manager", "城区", "东城网格", "13800000001"),
                              row(3, "M1002", "李娜", "manager", "城区", "西城网格")])
    assert [a.person.employee_no for a in result.additions] == ["M1002"]
    assert result.additions[0].row == 3
    assert result.changes == ()
    assert result.unchanged == 1
    assert not result.is_empty


def test_a_change_lists_each_field_with_before_and_after():
    result = diff([MANAGER], [row(2, "M1001", "王伟伟", "supervisor", "郊县", None, None)])
    (change,) = result.changes
    assert {(f.field, f.before, f.after) for f in change.changes} == {
        ("name", "王伟", "王伟伟"),
        ("role", "manager", "supervisor"),
        ("unit", "城区 / 东城网格", "郊县"),
        ("phone", "13800000001", None),
    }
    assert change.field("active") is None


def test_a_deactivated_person_on_the_roster_is_reactivated():
    gone = Person("M1001", "王伟", "manager", "城区", "东城网格", "13800000001", active=False)
    (change,) = diff([gone], [row(2, "M1001", "王伟", "manager", "城区", "东城网格", "13800000001")]).changes
    assert [(f.field, f.before, f.after) for f in change.changes] == [("active", False, True)]


def test_the_issues_row_demoting_the_importing_admin_is_refused():
    result = diff([ADMIN, OTHER_ADMIN], [row(2, "A0001", "改名", "manager", "城区", "东城网格")],
                  admin_confirmed=True)
    assert codes(result) == [("A0001", rules.REFUSED_OWN_ROLE)]
    assert result.changes == ()
    assert result.refusals[0].row == 2
    assert result.refusals[0].reason == "不能通过名单修改自己的角色"


def test_the_importing_admin_may_still_fix_their_own_name():
    (change,) = diff([ADMIN], [row(2, "A0001", "改名", "admin")]).changes
    assert [f.field for f in change.changes] == ["name"]


@pytest.mark.parametrize(
    ("current", "line", "what"),
    [
        ([ADMIN], row(2, "A0009", "新管理员", "admin"), "new admin"),
        ([ADMIN, MANAGER], row(2, "M1001", "王伟", "admin", None, None, "13800000001"), "promotion"),
        ([ADMIN, OTHER_ADMIN], row(2, "A0002", "管理员乙", "trainer"), "demotion"),
        ([ADMIN, Person("A0003", "旧管理员", "admin", active=False)], row(2, "A0003", "旧管理员", "admin"),
         "reactivated admin"),
    ],
)
def test_admin_access_changes_need_the_explicit_confirmation(current, line, what):
    unconfirmed = diff(current, [line])
    assert codes(unconfirmed) == [(line.employee_no, rules.REFUSED_ADMIN_UNCONFIRMED)], what
    assert unconfirmed.is_empty
    confirmed = diff(current, [line], admin_confirmed=True)
    assert confirmed.refusals == ()
    assert len(confirmed.admin_items) == 1


def test_unconfirmed_admin_rows_are_refused_but_the_rest_goes_through():
    result = diff([ADMIN, MANAGER], [row(2, "M1001", "王伟", "manager", "城区", "西城网格", "13800000001"),
                                     row(3, "A0009", "新管理员", "admin")])
    assert [c.after.employee_no for c in result.changes] == ["M1001"]
    assert codes(result) == [("A0009", rules.REFUSED_ADMIN_UNCONFIRMED)]


def test_the_last_active_admin_is_never_demoted_even_from_the_command_line():
    result = diff([ADMIN, MANAGER], [row(2, "A0001", "管理员甲", "manager", "城区", "东城网格")], actor=None,
                  admin_confirmed=True)
    assert codes(result) == [("A0001", rules.REFUSED_LAST_ADMIN)]


def test_of_two_admins_demoted_together_the_later_row_is_refused():
    both = [row(2, "A0001", "管理员甲", "trainer"), row(3, "A0002", "管理员乙", "trainer")]
    result = diff([ADMIN, OTHER_ADMIN], both, actor=None, admin_confirmed=True)
    assert [c.after.employee_no for c in result.changes] == ["A0001"]
    assert codes(result) == [("A0002", rules.REFUSED_LAST_ADMIN)]


def test_demoting_the_last_admin_is_fine_when_the_same_file_makes_another():
    result = diff([ADMIN], [row(2, "A0001", "管理员甲", "trainer"), row(3, "A0009", "新管理员", "admin")],
                  actor=None, admin_confirmed=True)
    assert result.refusals == ()
    assert len(result.changes) == 1
    assert len(result.additions) == 1


def test_an_inactive_admin_does_not_count_as_the_one_left():
    dormant = Person("A0002", "管理员乙", "admin", active=False)
    result = diff([ADMIN, dormant], [row(2, "A0001", "管理员甲", "trainer")], actor=None, admin_confirmed=True)
    assert codes(result) == [("A0001", rules.REFUSED_LAST_ADMIN)]


def test_people_missing_from_the_file_stay_unless_a_full_roster_is_asked_for():
    current = [ADMIN, MANAGER, Person("T3001", "赵敏", "trainer")]
    assert diff(current, [row(2, "M1002", "李娜", "manager", "城区", "西城网格")]).deactivations == ()
    full = diff(current, [row(2, "M1002", "李娜", "manager", "城区", "西城网格")],
                deactivate_missing=frozenset({"manager"}))
    assert [d.person.employee_no for d in full.deactivations] == ["M1001"]


def test_a_full_roster_never_deactivates_the_importer_nor_the_last_admin():
    everyone = frozenset(rules.ROLES)
    result = diff([ADMIN, MANAGER], [row(2, "M1001", "王伟", "manager", "城区", "东城网格", "13800000001")],
                  deactivate_missing=everyone, admin_confirmed=True)
    assert codes(result) == [("A0001", rules.REFUSED_OWN_DEACTIVATION)]
    cli = diff([ADMIN, MANAGER], [row(2, "M1001", "王伟", "manager", "城区", "东城网格", "13800000001")], actor=None,
               deactivate_missing=everyone, admin_confirmed=True)
    assert codes(cli) == [("A0001", rules.REFUSED_LAST_ADMIN)]
    assert cli.refusals[0].row is None


def test_deactivated_people_missing_from_a_full_roster_are_not_deactivated_again():
    gone = Person("M1009", "离职", "manager", "城区", "东城网格", active=False)
    assert diff([ADMIN, gone], [], deactivate_missing=frozenset({"manager"})).deactivations == ()


def test_the_digest_changes_when_what_would_be_written_changes():
    rows = [row(2, "M1001", "王伟", "manager", "城区", "西城网格")]
    before = rules.roster_diff_digest(diff([ADMIN, MANAGER], rows, admin_confirmed=True))
    assert before == rules.roster_diff_digest(diff([ADMIN, MANAGER], rows, admin_confirmed=True))
    moved = Person("M1001", "王伟", "manager", "城区", "北城网格", "13800000001")
    assert before != rules.roster_diff_digest(diff([ADMIN, moved], rows, admin_confirmed=True))


@pytest.mark.parametrize(
    ("person", "actor", "admins", "expected"),
    [
        (MANAGER, "A0001", 1, None),
        (ADMIN, "A0001", 2, rules.REFUSED_OWN_DEACTIVATION),
        (OTHER_ADMIN, "A0001", 2, None),
        (ADMIN, None, 1, rules.REFUSED_LAST_ADMIN),
        (Person("A0003", "旧", "admin", active=False), "A0001", 1, None),
    ],
)
def test_who_an_admin_may_deactivate_on_the_person_page(person, actor, admins, expected):
    assert rules.refuse_deactivation(person, actor=actor, active_admins=admins) == expected
