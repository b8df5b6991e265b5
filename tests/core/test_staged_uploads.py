"""A file waiting for its confirmation (the roster, the shops, a question import): kept for its uploader only,
expired after its time to live, its bytes checked, cancelled only by its uploader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lms.core import staged_uploads
from lms.core.errors import NotFound
from lms.extensions import db
from lms.field.shop_models import ShopUpload

TTL = timedelta(minutes=30)
START = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def test_a_file_kept_exactly_its_time_to_live_ago_may_still_be_confirmed():
    assert not staged_uploads.is_expired(START, now=START + TTL, ttl=TTL)
    assert staged_uploads.is_expired(START, now=START + TTL + timedelta(seconds=1), ttl=TTL)


def test_only_the_uploader_opens_it_and_an_expired_one_is_gone(app, make_user):
    admin, other = make_user("admin"), make_user("admin")
    kept = staged_uploads.keep(ShopUpload, b"code,name\n", "shops.csv", uploader=admin, ttl=TTL, now=START)
    assert len(kept.token) >= 32
    assert kept.checksum == staged_uploads.checksum(b"code,name\n")
    found = staged_uploads.pending(ShopUpload, kept.token, admin, ttl=TTL, missing="无", expired="过期",
                                   now=START + TTL)
    assert found.id == kept.id
    with pytest.raises(NotFound, match="没有这份"):
        staged_uploads.pending(ShopUpload, kept.token, other, ttl=TTL, missing="没有这份", expired="过期", now=START)
    with pytest.raises(staged_uploads.PreviewExpired, match="已过期"):
        staged_uploads.pending(ShopUpload, kept.token, admin, ttl=TTL, missing="无", expired="已过期",
                               now=START + TTL + timedelta(minutes=1))
    assert db.session.query(ShopUpload).count() == 0


def test_changed_bytes_expire_it_and_keeping_another_clears_the_expired(app, make_user):
    admin = make_user("admin")
    changed = staged_uploads.keep(ShopUpload, b"a", "a.csv", uploader=admin, ttl=TTL, now=START)
    changed.data = b"b"
    db.session.commit()
    with pytest.raises(staged_uploads.PreviewExpired):
        staged_uploads.pending(ShopUpload, changed.token, admin, ttl=TTL, missing="无", expired="过期", now=START)
    staged_uploads.keep(ShopUpload, b"old", "old.csv", uploader=admin, ttl=TTL, now=START)
    staged_uploads.keep(ShopUpload, b"new", "new.csv", uploader=admin, ttl=TTL, now=START + TTL * 2)
    assert [u.filename for u in db.session.query(ShopUpload)] == ["new.csv"]


def test_cancel_drops_only_the_uploaders_own(app, make_user):
    admin, other = make_user("admin"), make_user("admin")
    kept = staged_uploads.keep(ShopUpload, b"a", "a.csv", uploader=admin, ttl=TTL)
    staged_uploads.cancel(ShopUpload, kept.token, other)
    assert db.session.query(ShopUpload).count() == 1
    staged_uploads.cancel(ShopUpload, kept.token, admin)
    staged_uploads.cancel(ShopUpload, "no-such-token", admin)
    assert db.session.query(ShopUpload).count() == 0
