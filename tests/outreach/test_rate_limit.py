"""The shop page is throttled per address: page, check and confirmation share one budget."""

from __future__ import annotations

import pytest

from tests.outreach.support import shop_world


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_SHOP_PAGE_LIMIT": "4 per minute"}


def test_guessing_tokens_is_rate_limited(app, client, make_user):
    shop_world(make_user)
    statuses = [client.get(f"/s/guess-{n}").status_code for n in range(6)]
    assert statuses[:4] == [404] * 4
    assert statuses[4:] == [429, 429]
    assert client.post("/s/guess-9/confirm", data={}).status_code in (400, 429)
