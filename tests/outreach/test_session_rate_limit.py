"""The check-in page is throttled per address, on its own budget (a room of phones on one Wi-Fi)."""

from __future__ import annotations

import pytest

from tests.outreach.support import shop_world


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_SHOP_SESSION_LIMIT": "4 per minute", "LMS_SHOP_PAGE_LIMIT": "100 per minute"}


def test_guessing_check_in_tokens_is_rate_limited(app, client, make_user):
    shop_world(make_user)
    statuses = [client.get(f"/t/guess-{n}").status_code for n in range(6)]
    assert statuses[:4] == [404] * 4
    assert statuses[4:] == [429, 429]
    assert client.post("/t/guess-9", data={}).status_code in (400, 429)
    assert client.get("/s/guess-1").status_code == 404  # the shop pages keep their own budget
