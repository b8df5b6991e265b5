"""A person compares as the same person whatever session loaded them, and needs no sign-in to be compared or kept
in a set (get_id() names a sign-in session now, and a person loaded for a report has none)."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import User
from lms.extensions import db


def test_people_compare_by_row_not_by_sign_in(app, make_user):
    first, second = make_user(), make_user()
    with app.app_context():  # another application context: another database session, other objects
        again = db.session.scalar(select(User).where(User.id == first.id))
        assert again is not first
        assert again == first
        assert again != second
    assert first in {first, second}
    assert first != "not a person"
