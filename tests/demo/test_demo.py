from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.extensions import db
from lms.org.models import Unit


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_builds_the_organisation_and_is_idempotent(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert count(Unit, Unit.kind == "county") == 3
    assert 2 <= count(Unit, Unit.kind == "grid") / 3 <= 3
    assert count(User, User.role == "manager") == 40
    assert count(User, User.role == "admin") == 1
    assert count(User, User.role == "supervisor") >= 4
    totals = (count(User), count(Unit))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert (count(User), count(Unit)) == totals
    assert "0 created" in second.output


def test_demo_prints_accounts_that_can_sign_in(runner, auth):
    output = runner.invoke(args=["demo"]).output
    assert "Demo@2026" in output
    for number in ("A0001", "T0001", "S0001", "S1000", "M1001"):
        assert number in output
        assert auth.login(number, "Demo@2026").status_code == 302
        auth.logout()


def test_managers_have_plausible_unique_chinese_names(runner):
    runner.invoke(args=["demo"])
    names = list(db.session.scalars(select(User.name).where(User.role == "manager")))
    assert all(2 <= len(n) <= 3 and all("\u4e00" <= ch <= "\u9fff" for ch in n) for n in names)
    assert len(set(names)) >= 35


@pytest.fixture
def shipped_files(app_config):
    repo = Path(__file__).resolve().parents[2]
    app_config["LMS_CONTENT_DIR"] = str(repo / "content")
    app_config["LMS_QUIZZES_DIR"] = str(repo / "quizzes")
    return app_config


def test_demo_history_makes_every_rule_happen_to_someone(shipped_files, runner):
    from lms.assessment.models import LedgerEntry

    assert runner.invoke(args=["sync"]).exit_code == 0
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "closed 2026-09" in result.output
    kinds = dict(db.session.execute(select(LedgerEntry.kind, func.count()).group_by(LedgerEntry.kind)).all())
    for kind in ("criticism", "cash_penalty", "deduction", "yellow_card", "reward"):
        assert kinds.get(kind, 0) >= 1, kind
    entries = count(LedgerEntry)
    again = runner.invoke(args=["demo"])
    assert "closed nothing new" in again.output
    assert count(LedgerEntry) == entries


def test_demo_publishes_each_months_training_pack_once(shipped_files, runner):
    from lms.announcements.models import Announcement
    from lms.courses.models import TrainingPack

    assert runner.invoke(args=["sync"]).exit_code == 0
    result = runner.invoke(args=["demo"])
    assert "training packs: 3 published" in result.output, result.output
    packs = db.session.scalars(select(TrainingPack).order_by(TrainingPack.period)).all()
    assert [(p.period, p.status) for p in packs] == [("2026-09", "published"), ("2026-10", "published"),
                                                       ("2026-11", "published")]
    assert all(p.items and p.quiz_id is not None for p in packs)  # the month's lessons and its monthly test
    announcements = count(Announcement)
    again = runner.invoke(args=["demo"])
    assert "training packs: 0 published" in again.output
    assert count(Announcement) == announcements
