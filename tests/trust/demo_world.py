"""A realistic world to attack: the shipped content and quizzes, the demo organisation (3 counties, 40 managers)
with three closed months of history (attempts, ledger entries, certificates, inbox messages), plus an announcement
per county and lesson progress in each county.

Built once per test session through the real services, then cloned for each test the way the migrated template
is (SQLite file copy, PostgreSQL ``CREATE DATABASE … TEMPLATE``), so a test may change it freely.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import make_url

from lms import create_app
from lms.config import REPO_ROOT
from tests.support.databases import TemplateDatabase, admin_connection, with_database

# The people the access tests act as and probe (employee numbers of the demo, lms/demo/people.py).
CITY_SUPERVISOR, COUNTY_SUPERVISOR, GRID_SUPERVISOR = "S0001", "S1000", "S1100"
OTHER_COUNTY_SUPERVISOR = "S2000"
MANAGER, NEIGHBOUR = "M1001", "M1002"  # same grid: a neighbour is still someone else
OUTSIDER = "M1016"  # another county
TRAINER, ADMIN = "T0001", "A0001"
DEMO_PASSWORD = "Demo@2026"


def demo_config(tmp_path: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "LMS_CONTENT_DIR": str(REPO_ROOT / "content"),
        "LMS_QUIZZES_DIR": str(REPO_ROOT / "quizzes"),
        "LMS_BASE_URL": "http://localhost",
        "LMS_CERT_CACHE_DIR": str(tmp_path / "certificates"),
        "LMS_MEDIA_DIR": str(tmp_path / "media"),  # the walk's visit photo, never the repository's instance/
        "SERVER_NAME": None,
    }


@dataclass
class DemoTemplate:
    template_db: TemplateDatabase
    uri: str
    path: Path | None  # the SQLite file, or None on PostgreSQL
    clones: list[str] = field(default_factory=list)
    media: Path | None = None  # the demo's photos (visits, ground activities), copied beside each clone

    def clone(self, target_dir: Path) -> str:
        if self.media is not None and self.media.is_dir():
            shutil.copytree(self.media, target_dir / "media", dirs_exist_ok=True)
        if self.path is not None:
            target = target_dir / "demo.sqlite3"
            shutil.copyfile(self.path, target)
            return f"sqlite:///{target}"
        name = f"{make_url(self.uri).database}_{uuid.uuid4().hex[:6]}"
        with admin_connection(self.uri) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(self.uri).database}"')  # type: ignore[attr-defined]
        return with_database(self.uri, name)

    def drop(self, uri: str) -> None:
        self.template_db.drop(uri)


def _add_extras() -> None:
    """What the demo history does not make: an announcement per county and studied lessons in each county."""
    from sqlalchemy import select

    from lms.accounts.models import User
    from lms.announcements import services as announcements
    from lms.courses import services as courses
    from lms.courses.models import Lesson
    from lms.extensions import db

    def person(number: str) -> User:
        return db.session.scalars(select(User).where(User.employee_no == number)).one()

    for supervisor in (COUNTY_SUPERVISOR, OTHER_COUNTY_SUPERVISOR):
        author = person(supervisor)
        announcements.publish_announcement(author, announcements.AnnouncementDraft(
            title=f"{author.county.name}本月政策宣贯", body="请在8号前完成学习和月考。", audience_kind="county",
            unit_id=author.county_id, requires_ack=True))
    slug = db.session.scalars(select(Lesson.slug).order_by(Lesson.slug)).first()
    for number in (NEIGHBOUR, OUTSIDER):  # not MANAGER: their progress must not show as theirs
        courses.mark_studied(slug, person(number))


_built: dict[int, DemoTemplate] = {}


def demo_template(template_db: TemplateDatabase, request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> DemoTemplate:
    """The session's demo world (built on first use)."""
    if id(template_db) in _built:
        return _built[id(template_db)]
    from lms.core.sync import run_sync
    from lms.demo.services import load_demo
    from lms.extensions import db

    workdir = tmp_path_factory.mktemp("demo-world")
    uri = template_db.clone(workdir)
    app = create_app({**demo_config(workdir), "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        result = run_sync(dict(app.config))
        assert not result.problems, result.problems
        load_demo()
        _add_extras()
        db.session.remove()
        db.engine.dispose()
    built = DemoTemplate(template_db, uri, None if template_db.pg else workdir / "lms.sqlite3",
                         media=workdir / "media")
    _built[id(template_db)] = built
    request.session.config.add_cleanup(lambda: template_db.drop(uri))
    return built


def demo_app(template: DemoTemplate, tmp_path: Path) -> Iterator[Flask]:
    """An app on a fresh clone of the demo world, shaped like the root ``app`` fixture."""
    from lms.extensions import db, limiter
    from tests.conftest import IsolatedClient

    uri = template.clone(tmp_path)
    application = create_app({**demo_config(tmp_path), "SQLALCHEMY_DATABASE_URI": uri})
    application.test_client_class = IsolatedClient
    with application.app_context():
        limiter.reset()
        yield application
        db.session.remove()
        db.engine.dispose()
    template.drop(uri)


def user(employee_no: str) -> Any:
    from sqlalchemy import select

    from lms.accounts.models import User
    from lms.extensions import db

    return db.session.scalars(select(User).where(User.employee_no == employee_no)).one()
