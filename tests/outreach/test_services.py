"""Links made, re-made and revoked (audited), the shop's month recorded, the check graded on the server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.core.clock import utcnow
from lms.core.errors import NotFound, ValidationFailed
from lms.extensions import db
from lms.outreach import links, queries, rules, services
from lms.outreach.models import ShopLink
from tests.outreach.support import RIGHT, shop_world


@pytest.fixture
def world(app, make_user):
    with app.test_request_context():
        yield shop_world(make_user)


def _answers(questions, right=True):
    return {q["id"]: (RIGHT[q["type"]] if right else ["C"] if q["type"] == "single" else ["A"])
            for q in questions}


def test_the_pack_is_this_months_published_lessons_for_shops(world):
    pack = queries.shop_pack(world.period)
    assert {item.lesson.slug for item in pack} == {"shop-realname", "shop-subsidy"}
    questions = queries.check_questions(pack)
    assert [q["type"] for q in questions] == ["single", "multiple", "truefalse"]
    assert all("correct" in q for q in questions)  # the key stays on the server (not rendered: see the views)


def test_make_link_revokes_the_previous_one_and_is_audited(world):
    shop = world.shops[0]
    first = services.make_link(shop.id, world.manager, days=90)
    second = services.make_link(shop.id, world.manager, days=90)
    assert db.session.get(ShopLink, first.id).revoked_at is not None
    assert second.revoked_at is None
    assert second.expires_at - second.created_at == timedelta(days=90)
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-3:] == ["shop.link_made", "shop.link_revoked", "shop.link_made"]
    keys = links.secret_keys()
    assert services.usable_link(keys, links.token_of(first)) is None
    assert services.usable_link(keys, links.token_of(second)).shop_id == shop.id


def test_the_token_is_not_stored(world):
    link = services.make_link(world.shops[0].id, world.manager, days=90)
    token = links.token_of(link)
    row = db.session.execute(select(ShopLink.__table__)).mappings().one()
    assert all(token not in str(value) for value in row.values())


def test_a_manager_cannot_share_another_managers_shop(world):
    with pytest.raises(NotFound):
        services.make_link(world.other_shop.id, world.manager, days=90)
    with pytest.raises(NotFound):
        services.revoke_link(world.other_shop.id, world.manager)


def test_make_missing_links_for_every_shop_lacking_one(world):
    kept = services.make_link(world.shops[0].id, world.manager, days=90)
    made = services.make_missing_links(world.manager, days=90)
    assert [link.shop_id for link in made] == [world.shops[1].id]
    assert services.make_missing_links(world.manager, days=90) == []
    assert db.session.get(ShopLink, kept.id).revoked_at is None


def test_revoked_expired_and_closed_links_are_not_honoured(world):
    keys = links.secret_keys()
    link = services.make_link(world.shops[0].id, world.manager, days=90)
    token = links.token_of(link)
    assert services.usable_link(keys, token, now=link.expires_at - timedelta(seconds=1)) is not None
    assert services.usable_link(keys, token, now=link.expires_at) is None
    world.shops[0].active = False
    db.session.commit()
    assert services.usable_link(keys, token) is None
    world.shops[0].active = True
    db.session.commit()
    assert services.revoke_link(world.shops[0].id, world.manager)
    assert services.usable_link(keys, token) is None
    assert not services.revoke_link(world.shops[0].id, world.manager)


def test_opening_checking_and_confirming_are_recorded_per_shop_and_month(world):
    link = services.make_link(world.shops[0].id, world.manager, days=90)
    first = services.record_open(link, world.period)
    opened = first.opened_at
    again = services.record_open(link, world.period, now=utcnow() + timedelta(hours=1))
    assert again.id == first.id
    assert again.opens == 2
    assert again.opened_at == opened
    questions = queries.check_questions(queries.shop_pack(world.period))
    failed = services.record_check(link, world.period, questions, _answers(questions, right=False))
    assert not failed.passed
    assert failed.right == 0
    passed = services.record_check(link, world.period, questions, _answers(questions))
    assert passed.passed
    assert passed.percent == 100.0
    # a worse attempt later does not take the pass away
    services.record_check(link, world.period, questions, {})
    reading = queries.reading(link.shop_id, world.period)
    assert reading.check_passed
    assert reading.check_score == 100.0
    assert set(reading.check_results) == {q["key"] for q in questions}
    services.confirm_read(link, world.period, name=" 张三 ", phone="")
    reading = queries.reading(link.shop_id, world.period)
    assert reading.staff_name == "张三"
    assert reading.staff_phone is None
    assert reading.confirmed_at is not None
    assert queries.reading(world.shops[1].id, world.period) is None


def test_grading_takes_odd_answers_as_wrong(world):
    questions = queries.check_questions(queries.shop_pack(world.period))
    result = services.grade_check(questions, {questions[0]["id"]: ["Z"], questions[1]["id"]: ["A"]})
    assert result.right == 0
    assert result.total == 3


def test_a_confirmation_needs_a_name_and_a_plausible_phone(world):
    link = services.make_link(world.shops[0].id, world.manager, days=90)
    with pytest.raises(ValidationFailed) as refused:
        services.confirm_read(link, world.period, name="  ", phone="abc")
    assert len(refused.value.problems) == 2
    assert rules.PASS_PERCENT == 80.0
