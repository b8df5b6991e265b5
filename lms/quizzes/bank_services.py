"""Trainers' writes to question banks in the browser: an empty bank, a question created, edited (a new revision),
retired or restored, tags added or removed in bulk. Each write records its audit entry and commits once.

Papers already drawn are copies on the attempts (``lms.attempts.rules.draw_paper``), so no write here changes a
paper; the next draw takes the question's current content.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.audit import rules as audit
from lms.audit.services import record
from lms.core.errors import Conflict, NotFound, ValidationFailed
from lms.extensions import db
from lms.quizzes.definitions import spec_checksum, spec_from_json, spec_to_json
from lms.quizzes.models import FROM_BROWSER, BankQuestion, BankQuestionRevision, QuestionBank
from lms.quizzes.quiz_files import SLUG_RE
from lms.quizzes.rules import validate_spec
from lms.quizzes.specs import QuestionSpec

MAX_TAG_LENGTH = 50


def add_revision(row: BankQuestion, spec: QuestionSpec, *, origin: str, by: User | None, now: datetime) -> None:
    """Make ``spec`` the question's current content and keep it as its next revision (no commit)."""
    checksum = spec_checksum(spec)
    row.type, row.lesson = spec.type, spec.lesson
    row.category = next((t.split(":", 1)[1] for t in spec.tags if t.startswith("category:")), None)
    row.tags, row.difficulty = list(spec.tags), spec.difficulty
    row.name = (spec.extra.get("title") or "")[:200]
    row.spec, row.checksum = spec_to_json(spec), checksum
    row.updated_at = now
    if row.id is None:
        db.session.flush()
    number = (db.session.scalar(select(func.max(BankQuestionRevision.number))
                                .where(BankQuestionRevision.question_id == row.id)) or 0) + 1
    db.session.add(BankQuestionRevision(question_id=row.id, number=number, spec=row.spec, checksum=checksum,
                                        origin=origin, created_by_id=by.id if by is not None else None,
                                        created_at=now))


def _editable(row: BankQuestion) -> None:
    if row.bank.source_path:
        raise Conflict(f"此题来自文件 {row.bank.source_path}，请修改文件后同步")


def _subject(row: BankQuestion) -> str:
    return f"{row.bank.slug}/{row.key}"


def _problems(spec: QuestionSpec) -> None:
    problems = validate_spec(spec)
    if problems:
        raise ValidationFailed("题目未通过校验，未做任何修改", problems)


def create_bank(title: str, *, by: User, now: datetime) -> QuestionBank:
    """An empty bank made in the browser; its slug is made from the title (``bank-N`` when the title has no Latin
    letters to make one from)."""
    title = title.strip()
    if not title:
        raise ValidationFailed("请填写题库名称")
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]
    if not re.search(r"[a-z]", base) or not SLUG_RE.match(base):  # "11" says nothing: a Chinese title's slug
        base = "bank"
    taken = set(db.session.scalars(select(QuestionBank.slug).where(QuestionBank.slug.like(f"{base}%"))))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    bank = QuestionBank(slug=slug, title=title[:200], description="", created_at=now, updated_at=now)
    db.session.add(bank)
    db.session.flush()
    record(audit.BANK_CREATED, subject=slug, changes={"title": bank.title}, actor=by)
    db.session.commit()
    return bank


def _new_key(bank: QuestionBank) -> str:
    keys = set(db.session.scalars(select(BankQuestion.key).where(BankQuestion.bank_id == bank.id)))
    n = len(keys) + 1
    while f"q{n}" in keys:
        n += 1
    return f"q{n}"


def create_question(bank: QuestionBank, spec: QuestionSpec, *, by: User, now: datetime) -> BankQuestion:
    """A new question in a browser-owned bank, checked by the same rules as the files' (``validate_spec``)."""
    if bank.source_path:
        raise Conflict(f"此题库来自文件 {bank.source_path}，请修改文件后同步")
    key = _new_key(bank)
    spec = _with_key(spec, key)
    _problems(spec)
    row = BankQuestion(bank=bank, key=key, created_at=now)
    db.session.add(row)
    add_revision(row, spec, origin=FROM_BROWSER, by=by, now=now)
    record(audit.QUESTION_CREATED, subject=_subject(row), changes={"type": spec.type}, actor=by)
    db.session.commit()
    return row


def edit_question(row: BankQuestion, spec: QuestionSpec, *, by: User, now: datetime) -> bool:
    """Save an edit as the question's next revision; False (nothing written) when nothing changed."""
    _editable(row)
    spec = _with_key(spec, row.key)
    _problems(spec)
    if spec_checksum(spec) == row.checksum:
        return False
    before = _audit_view(row.spec)
    add_revision(row, spec, origin=FROM_BROWSER, by=by, now=now)
    record(audit.QUESTION_EDITED, subject=_subject(row), changes=audit.describe_changes(before, _audit_view(row.spec)),
           actor=by)
    db.session.commit()
    return True


def set_retired(row: BankQuestion, retired: bool, *, by: User, now: datetime) -> None:
    """Retire a question (kept for history and reports, never drawn again) or bring it back."""
    _editable(row)
    if (row.retired_at is not None) == retired:
        return
    row.retired_at = now if retired else None
    row.updated_at = now
    record(audit.QUESTION_RETIRED if retired else audit.QUESTION_RESTORED, subject=_subject(row), actor=by)
    db.session.commit()


def retag(question_ids: list[int], tag: str, *, add: bool, by: User, now: datetime) -> int:
    """Add ``tag`` to (or remove it from) each of the questions; each changed one gets a new revision. Returns how
    many changed. Questions of file-owned banks are refused as a whole: nothing is written."""
    tag = tag.strip()
    if not tag or len(tag) > MAX_TAG_LENGTH or tag.startswith("category:"):
        raise ValidationFailed(f"标签不能为空，最多 {MAX_TAG_LENGTH} 个字符")
    rows = list(db.session.scalars(select(BankQuestion).where(BankQuestion.id.in_(question_ids))))
    if not rows:
        raise ValidationFailed("请先勾选题目")
    if len(rows) != len(set(question_ids)):
        raise NotFound("题目不存在")
    for row in rows:
        _editable(row)
    changed = []
    for row in rows:
        spec = spec_from_json(row.spec)
        if (tag in spec.tags) == add:
            continue  # already has it, or has nothing to remove
        tags = (*spec.tags, tag) if add else tuple(t for t in spec.tags if t != tag)
        add_revision(row, replace(spec, tags=tags), origin=FROM_BROWSER, by=by, now=now)
        changed.append(_subject(row))
    if changed:
        record(audit.QUESTIONS_TAGGED, subject=tag, changes={"added" if add else "removed": changed}, actor=by)
        db.session.commit()
    return len(changed)


def _with_key(spec: QuestionSpec, key: str) -> QuestionSpec:
    return replace(spec, key=key, source="")


def _audit_view(spec: dict[str, Any]) -> dict[str, Any]:
    """The fields of a question worth naming in its audit entry (the stem and texts shortened). The name (kept in
    ``extra["title"]``) gets a key of its own, so the audit page can label it; ``audit.FIELD_LABELS`` names each key."""
    view = {k: (v[:80] if isinstance(v, str) else v) for k, v in spec.items()
            if k in ("type", "stem", "options", "correct", "truth", "accepted", "points", "explanation", "tags",
                     "difficulty", "lesson")}
    view["question_name"] = ((spec.get("extra") or {}).get("title") or "")[:80]
    return view
