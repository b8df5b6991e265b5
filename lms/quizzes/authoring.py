"""Quizzes built in the browser: save (through the sync's versioning), publish, take over a file's quiz. Writes
commit and are audited; the builder's reads (questions to pick and draw from, the quiz list, versions) are in
lms.quizzes.queries.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from lms.accounts.models import User
from lms.assessment.services import is_closed
from lms.audit import rules as audit_rules
from lms.audit.services import record
from lms.core.errors import Conflict, NotFound, ValidationFailed
from lms.extensions import db
from lms.quizzes import bank_services, builder, queries
from lms.quizzes.definitions import QuizDefinition
from lms.quizzes.loader import window_policy
from lms.quizzes.models import (
    DRAFT,
    MANAGED_BY_BROWSER,
    PUBLISHED,
    BankQuestion,
    QuestionBank,
    Quiz,
    QuizVersion,
)
from lms.quizzes.quiz_file_questions import parse_question
from lms.quizzes.quiz_files import SLUG_RE
from lms.quizzes.rules import WindowPolicy
from lms.quizzes.services import store_version, version_definition


def policy() -> WindowPolicy:
    """The monthly window setting (LMS_WINDOW_FIRST_DAY/LAST_DAY, LMS_TIMEZONE)."""
    return window_policy(current_app.config)


# --- what the form shows (a file's quiz through its definition, in the window's time zone) -----------------------

def current_definition(quiz: Quiz) -> QuizDefinition:
    assert quiz.current_version is not None  # noqa: S101 - builder_quiz has a version
    return version_definition(quiz.current_version)


def data_for_form(quiz: Quiz) -> dict[str, Any]:
    """What the builder's form shows for a quiz: its builder data, or its definition's (a file quiz)."""
    if quiz.builder_data:
        return dict(quiz.builder_data)
    return builder.builder_data(current_definition(quiz), policy().tz)


# --- writes ----------------------------------------------------------------------------------------------------------

def _new_slug(data: dict[str, Any]) -> str:
    suffix = data["period"] if data.get("period") else secrets.token_hex(3)
    base = f"{data.get('kind')}-{suffix}"
    base = re.sub(r"[^a-z0-9_-]", "-", base.lower())[:90]
    taken = set(db.session.scalars(select(Quiz.slug).where(Quiz.slug.like(f"{base}%"))))
    slug, number = base, 2
    while slug in taken or slug == "builder":
        slug, number = f"{base}-{number}", number + 1
    if not SLUG_RE.match(slug):
        raise ValidationFailed("无法为该考试生成标识")
    return slug


def _definition(data: dict[str, Any], slug: str) -> QuizDefinition:
    """Builder data → definition, refused with every problem (the file's rules, then the banks' shortages)."""
    picked = {q.ref: q.spec for q in queries.pickable_questions()}
    definition, problems = builder.build_definition(data, slug, picked, policy())
    if definition is None:
        raise ValidationFailed("考试未保存：请修改以下问题", problems)
    found = builder.summarize(definition.sections, queries.draw_pools(data), queries.bank_titles())
    if not found.ok:
        raise ValidationFailed("考试未保存：抽题条件超出题库", [shortage_text(s) for s in found.shortages])
    unknown = queries.unknown_managers(definition.makeup_people)
    if unknown:
        raise ValidationFailed("考试未保存：补考名单中有工号不是在职的渠道经理", ["、".join(unknown)])
    return definition


def _check_makeup_change(quiz: Quiz, data: dict[str, Any], definition: QuizDefinition) -> None:
    """A make-up window added or changed after its period's close would not count for the month: refused."""
    if (data.get("makeup") or None) == ((quiz.builder_data or {}).get("makeup") or None):
        return
    if definition.period and is_closed(definition.period):
        raise ValidationFailed("考试未保存：该月已结账，不能再安排或修改补考",
                               [f"{definition.period} 已结账，补考成绩不会再计入该月考核；请在结账前安排补考"])


def shortage_text(shortage: builder.Shortage) -> str:
    """A shortage for people (Chinese source; the pages show it through gettext with the same numbers)."""
    if shortage.missing_bank:
        return f"题库「{shortage.bank}」不存在"
    return f"题库「{shortage.bank}」中符合条件的题只有 {shortage.available} 道，本节要抽 {shortage.needed} 道"


def create_quiz(actor: User, data: dict[str, Any], *, now: datetime) -> Quiz:
    """A new browser-owned quiz, saved as a draft with its first version."""
    data = builder.saved_data(data, {})
    slug = _new_slug(data)
    definition = _definition(data, slug)
    quiz = Quiz(slug=slug, kind=definition.kind, title=definition.title, status=DRAFT,
                managed_by=MANAGED_BY_BROWSER, builder_data=data, created_at=now)
    db.session.add(quiz)
    db.session.flush()
    store_version(quiz, definition, now=now)
    record(audit_rules.QUIZ_CREATED, subject=slug, actor=actor,
           changes={"title": definition.title, "kind": definition.kind, "period": definition.period})
    db.session.commit()
    return quiz


def update_quiz(actor: User, quiz: Quiz, data: dict[str, Any], *, now: datetime) -> QuizVersion | None:
    """Save the builder's form: a changed definition becomes a new version (attempts keep theirs); None when
    nothing changed. A taken-over file's own questions come from the previous builder data (those the form still
    names), as do the keys the form does not hold (builder.saved_data)."""
    if not quiz.browser_owned:
        raise Conflict("该考试由文件管理：请先在浏览器中接管")
    data = builder.saved_data(data, quiz.builder_data or {})
    definition = _definition(data, quiz.slug)
    _check_makeup_change(quiz, data, definition)
    quiz.builder_data = data
    version = store_version(quiz, definition, now=now)
    if version is not None:
        record(audit_rules.QUIZ_EDITED, subject=quiz.slug, actor=actor,
               changes={"title": definition.title, "version": version.number})
    db.session.commit()
    return version


def move_to_bank(actor: User, quiz: Quiz, data: dict[str, Any], question_id: str, bank_slug: str, *,
                 now: datetime) -> tuple[BankQuestion, QuizVersion | None]:
    """Copy one of a taken-over file's own questions into a bank made in the browser (bank_services.create_question:
    a new bank question, audited) and pick that one in its section instead; saved with the rest of the form
    (``data``, with ``own`` ids) as the quiz's next version, so it is edited like any bank question from then on.
    The form must save as it stands before anything is written."""
    if not quiz.browser_owned:
        raise Conflict("该考试由文件管理：请先在浏览器中接管")
    raw = builder.own_questions(quiz.builder_data or {}).get(question_id)
    if raw is None or not any(question_id in (s.get("own") or []) for s in data.get("sections") or []):
        raise NotFound("题目不存在")
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.slug == bank_slug)) if bank_slug else None
    if bank is None:
        raise ValidationFailed("请选择要移入的题库")
    spec, problems = parse_question(raw, builder.SOURCE, question_id)
    if spec is None:
        raise ValidationFailed("题目未通过校验，未做任何修改", problems)
    _definition(builder.saved_data(data, quiz.builder_data or {}), quiz.slug)
    row = bank_services.create_question(bank, spec, by=actor, now=now)
    moved = builder.moved_to_bank(data, question_id, builder.question_ref(bank.slug, row.key))
    return row, update_quiz(actor, quiz, moved, now=now)


def publish_quiz(actor: User, quiz: Quiz, *, now: datetime) -> None:
    """Publish a draft: people see it in its window (before it, as upcoming)."""
    if quiz.status == PUBLISHED:
        return
    quiz.status, quiz.published_at = PUBLISHED, now
    version = quiz.current_version
    record(audit_rules.QUIZ_PUBLISHED, subject=quiz.slug, actor=actor,
           changes={"title": quiz.title, "version": version.number if version else None, "status": PUBLISHED})
    db.session.commit()


def take_over(actor: User, quiz: Quiz, *, now: datetime) -> None:
    """From now on the browser owns the quiz: ``flask sync`` skips its file (never overwrites or retires it)."""
    if quiz.browser_owned:
        return
    quiz.builder_data = builder.builder_data(current_definition(quiz), policy().tz)
    quiz.managed_by = MANAGED_BY_BROWSER
    record(audit_rules.QUIZ_TAKEN_OVER, subject=quiz.slug, actor=actor,
           changes={"title": quiz.title, "file": quiz.source_path})
    db.session.commit()
