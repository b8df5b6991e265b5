"""A shop's staff contact (name, mainland mobile, role) and where a shop's month is stuck, as plain values."""

from __future__ import annotations

import pytest

from lms.outreach import contact_rules, reminder_rules
from lms.outreach.contact_rules import NAME_PROBLEM, PHONE_PROBLEM, ROLE_PROBLEM


@pytest.mark.parametrize(("written", "stored"), [
    ("13800138000", "13800138000"),
    ("138 0013 8000", "13800138000"),
    ("138-0013-8000", "13800138000"),
    ("+86 138 0013 8000", "13800138000"),
    ("0086 13800138000", "13800138000"),
    ("8613800138000", "13800138000"),
    ("19912345678", "19912345678"),
])
def test_a_mainland_mobile_as_people_write_it(written, stored):
    assert contact_rules.clean_mobile(written) == stored


@pytest.mark.parametrize("written", ["", "1380013800", "138001380001", "12800138000", "010-12345678",
                                     "1380013800x", "+1 13800138000", "１３８００１３８０００", "138００138000", None])
def test_not_a_mainland_mobile(written):
    assert contact_rules.clean_mobile(written) is None


def test_a_contact_needs_a_name_of_at_most_50_a_mobile_and_a_known_role():
    cleaned = contact_rules.clean_contact("  张   三 ", "138 0013 8000", "shopkeeper")
    assert cleaned.problems == ()
    assert cleaned.contact == contact_rules.ContactInput("张 三", "13800138000", "shopkeeper")
    assert contact_rules.clean_contact("长" * 50, "13800138000", "clerk").contact is not None
    refused = contact_rules.clean_contact("长" * 51, "12345", "boss")
    assert refused.contact is None
    assert refused.problems == (NAME_PROBLEM, PHONE_PROBLEM, ROLE_PROBLEM)
    assert contact_rules.clean_contact(" ", "13800138000", "other").problems == (NAME_PROBLEM,)


@pytest.mark.parametrize(("opened", "confirmed", "passed", "has_check", "stage"), [
    (False, False, False, True, reminder_rules.NOT_OPENED),
    (False, False, False, False, reminder_rules.NOT_OPENED),
    (True, False, False, True, reminder_rules.NOT_READ),
    (True, False, True, True, reminder_rules.NOT_READ),  # passed the check but nobody confirmed
    (True, True, False, True, reminder_rules.NOT_PASSED),
    (True, True, False, False, None),  # a month without a check is done once confirmed
    (True, True, True, True, None),
])
def test_where_a_shops_month_is_stuck(opened, confirmed, passed, has_check, stage):
    assert reminder_rules.stage(opened=opened, confirmed=confirmed, passed=passed, has_check=has_check) == stage
