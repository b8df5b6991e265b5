"""The rules of a shop's own report (what it must hold, which one is the same report again, the daily cap) and of
the lesson pictures on the shop's page (which addresses move under the token, which files a shop may be sent)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lms.outreach import media_rules, report_rules

NOW = datetime(2026, 12, 5, 2, tzinfo=UTC)
GOOD = {"category": "system_ops", "text": "  B2B 不会订货 ", "name": " 张  三 ", "phone": "13800138000"}


def test_a_good_report_is_cleaned():
    report, problems = report_rules.check_report(**GOOD)
    assert problems == []
    assert report == report_rules.ShopReport("system_ops", "B2B 不会订货", "张 三", "13800138000")
    assert report_rules.check_report(**{**GOOD, "phone": ""})[0].phone is None


@pytest.mark.parametrize(("change", "problem"), [
    ({"category": "commission"}, "请选择问题类别"),
    ({"category": None}, "请选择问题类别"),
    ({"text": "   "}, "请写明遇到的问题"),
    ({"text": "无"}, "请写明遇到的问题"),
    ({"text": "字" * 501}, "问题描述最多 500 个字"),
    ({"name": ""}, "请填写反映人的姓名（最多 50 个字）"),
    ({"name": "名" * 51}, "请填写反映人的姓名（最多 50 个字）"),
    ({"phone": "call me"}, "手机号码格式不正确"),
])
def test_what_a_report_must_hold(change, problem):
    report, problems = report_rules.check_report(**{**GOOD, **change})
    assert report is None
    assert problems == [problem]


def test_every_ticket_category_can_be_reported_with_a_hint():
    assert set(report_rules.CATEGORIES) == {"remuneration", "system_ops", "after_sales"}
    assert set(report_rules.CATEGORY_HINTS) == set(report_rules.CATEGORIES)
    assert "B2B 不会订货" in report_rules.CATEGORY_HINTS["system_ops"]


@pytest.mark.parametrize(("form_key", "stored"), [
    ("abc-DEF_123", "shop7:abc-DEF_123"), ("", None), (None, None), ("a b", None), ("<script>", None),
    ("x" * 41, None),
])
def test_the_form_key_is_scoped_to_the_shop(form_key, stored):
    assert report_rules.client_key(7, form_key) == stored
    assert len(report_rules.new_form_key()) >= 16


def test_the_same_words_again_within_ten_minutes_is_the_same_report():
    report = report_rules.check_report(**GOOD)[0]
    same = report_rules.Earlier("system_ops", "B2B  不会订货", NOW - timedelta(minutes=9))
    assert report_rules.is_repeat([same], report, NOW)
    assert not report_rules.is_repeat([same], report, NOW + timedelta(minutes=2))  # eleven minutes on: again
    assert not report_rules.is_repeat([report_rules.Earlier("after_sales", "B2B 不会订货", NOW)], report, NOW)
    assert not report_rules.is_repeat([report_rules.Earlier("system_ops", "工号登不上", NOW)], report, NOW)


@pytest.mark.parametrize(("sent", "per_day", "over"), [(9, 10, False), (10, 10, True), (0, 0, False), (1, 0, True)])
def test_a_shop_s_reports_per_day_are_capped(sent, per_day, over):
    assert report_rules.over_daily_limit(sent, per_day) is over


NAME = "a" * 64 + ".png"
BODY = (f'<p><a class="media-link" href="/lessons/shop-a/media/{NAME}"><img alt="x" src="/lessons/shop-a/media/{NAME}">'
        f'</a></p><p><img alt="流程" src="/lessons/shop-a/files/img/flow%201.png"></p>'
        f'<p><img alt="y" src="/lessons/other/media/{"b" * 64}.png"></p><p><a href="/lessons/shop-a">课</a></p>')


def test_a_lesson_s_own_pictures_move_under_the_token_and_nothing_else():
    moved = media_rules.under_token(BODY, "shop-a", "/s/TOKEN")
    assert f'href="/s/TOKEN/lessons/shop-a/media/{NAME}"' in moved
    assert f'src="/s/TOKEN/lessons/shop-a/media/{NAME}"' in moved
    assert 'src="/s/TOKEN/lessons/shop-a/files/img/flow%201.png"' in moved
    assert f'src="/lessons/other/media/{"b" * 64}.png"' in moved  # another lesson's upload stays where it was
    assert 'href="/lessons/shop-a"' in moved  # the lesson page itself is not a picture


def test_the_files_a_lesson_names():
    assert media_rules.named_files(BODY, "shop-a", "media") == {NAME}
    assert media_rules.named_files(BODY, "shop-a", "files") == {"img/flow 1.png"}
    assert media_rules.named_files(BODY, "other", "media") == {"b" * 64 + ".png"}
    assert media_rules.named_files(BODY, "nobody", "media") == set()


@pytest.mark.parametrize(("relative", "kind"), [
    ("img/flow.png", "image/png"), ("a.JPG", "image/jpeg"), ("plan.pdf", "application/pdf"),
    ("files/checklist.xlsx", None), ("../secret.png", None), ("img/.hidden.png", None), ("a\\b.png", None),
    ("page.html", None), ("", None),
])
def test_which_files_beside_a_lesson_a_shop_may_be_sent(relative, kind):
    found = media_rules.file_type(relative)
    assert (found[0] if found else None) == kind
