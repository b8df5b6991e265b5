"""The shipped content gives the shops a working pack: December's lessons marked ``audience: shops`` (what to tell
customers, never the commission rules) with a check of tap-to-answer questions tied to them, and a lesson without a
month (real-name registration) so every month has something for the shops and a check."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from lms.extensions import db
from lms.outreach import links, queries, services
from lms.outreach.models import ShopLink
from tests.support.clock import Clock
from tests.support.visits import add_shop

DECEMBER = datetime(2026, 12, 3, 2, tzinfo=UTC)

SHOP_LESSONS = ["shop-2026-12-handset-subsidy", "shop-2026-12-broadband-counter", "shop-realname-rules"]


@pytest.fixture
def app_config(app_config):
    """The shipped content/ and quizzes/."""
    repo = Path(__file__).resolve().parents[2]
    return {**app_config, "LMS_CONTENT_DIR": str(repo / "content"), "LMS_QUIZZES_DIR": str(repo / "quizzes")}


def test_the_shipped_shop_pack_and_its_check(app, runner):
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    december = queries.shop_pack("2026-12")
    assert [item.lesson.slug for item in december] == SHOP_LESSONS
    for item in december:
        assert item.revision.for_shops
        assert "酬金" not in item.revision.body  # shop-facing: what to tell customers, not how commission is paid
    check = queries.check_questions(december)
    assert len(check) == 5
    january = queries.shop_pack("2027-01")
    assert [item.lesson.slug for item in january] == ["shop-realname-rules"]
    assert len(queries.check_questions(january)) == 3
    assert [item.lesson.slug for item in queries.shop_pack("2026-11")] == ["shop-realname-rules"]


def test_a_shop_opens_the_shipped_pack(app, runner, client, make_user, monkeypatch):
    monkeypatch.setattr("lms.outreach.shop_views.utcnow", Clock(DECEMBER))
    assert runner.invoke(args=["sync"]).exit_code == 0
    manager = make_user("manager")
    link = services.make_link(add_shop(manager).id, manager, days=90)
    with app.test_request_context():
        token = links.token_of(db.session.get(ShopLink, link.id))
    page = client.get(f"/s/{token}").get_data(as_text=True)
    titles = ("12月购机补贴：怎么跟顾客讲（门店版）", "12月宽带在柜台怎么办（门店版）", "门店实名制登记规定（门店版）")
    assert all(title in page for title in titles)
    assert page.count('class="shop-question"') == 5 + 1  # the check's five, and the report form's categories
