"""A read remembered for the request: asked twice, made once; another person, or the next request, reads afresh."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Flask

from lms.core.per_request import once_per_request


def test_a_read_is_made_once_a_request_and_per_person(app: Flask) -> None:
    made: list[int] = []

    def count(user: SimpleNamespace) -> int:
        made.append(user.id)
        return len(made)

    remembered = once_per_request(count)
    ann, bo = SimpleNamespace(id=1), SimpleNamespace(id=2)
    with app.app_context():  # a request runs in an app context of its own
        assert [remembered(ann), remembered(ann), remembered(bo), remembered(ann)] == [1, 1, 2, 1]
    with app.app_context():
        assert remembered(ann) == 3
    assert made == [1, 2, 1]
