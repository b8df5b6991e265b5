"""Closed periods, per-person outcomes, the insert-only ledger, rankings, imported indicators, notices and the
decisions on post-adjustment recommendations.

The ledger (``assessment_ledger``) is insert-only: the application has no update or delete path, and triggers
created by migration 0005 make the database refuse both (SQLite and PostgreSQL). A correction is a ``reversal``
entry pointing at the entry it cancels; ``reverses_id`` is unique, so an entry can be reversed only once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.assessment import appeal_rules, rules
from lms.core.clock import utcnow
from lms.core.types import UTCDateTime
from lms.extensions import db
from lms.org.models import Unit


class ClosedPeriod(db.Model):  # type: ignore[name-defined,misc]
    """A period that has been closed; its row is written last in the close's transaction."""

    __tablename__ = "assessment_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), unique=True)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    quiz_count: Mapped[int] = mapped_column(Integer, default=0)
    outcome_count: Mapped[int] = mapped_column(Integer, default=0)
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    # The settings the rules ran with, so a result can be explained later even after a setting changed.
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)

    closed_by: Mapped[User | None] = relationship()


class Outcome(db.Model):  # type: ignore[name-defined,misc]
    """One person's result for one period: PASS, FAIL, ABSENT, EXEMPT or VOID. The rules recompute from these."""

    __tablename__ = "assessment_outcomes"
    __table_args__ = (
        UniqueConstraint("period", "user_id"),
        # Reporting indexes (migration 0008, lms.reports): the outcome before a period per person, and unit
        # statistics read from the index alone.
        Index("ix_assessment_outcomes_user_id_period_status", "user_id", "period", "status"),
        Index("ix_assessment_outcomes_period_status_units", "period", "status", "county_id", "grid_id", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(8))
    score: Mapped[float | None] = mapped_column(Float)
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quizzes.id"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The person's units when the period closed: rankings and notices are per county at that time.
    county_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    # The version of the policy the close decided it under (lms.assessment.policy_versions); None: before 0023.
    policy_version: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    county: Mapped[Unit | None] = relationship(foreign_keys=[county_id])

    @property
    def label(self) -> str:
        return rules.OUTCOME_LABELS.get(self.status, self.status)


class LedgerEntry(db.Model):  # type: ignore[name-defined,misc]
    """A consequence handed to payroll and the wider assessment. Never updated, never deleted."""

    __tablename__ = "assessment_ledger"
    __table_args__ = (Index("ix_assessment_ledger_period_user_id", "period", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    amount_yuan: Mapped[int | None] = mapped_column(Integer)  # a reversal carries the negated amount
    points: Mapped[float | None] = mapped_column(Float)  # a deduction is negative; its reversal positive
    reason: Mapped[str] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(String(40))
    rule_version: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Same consequence, same key: a repeated or concurrent close cannot write it twice.
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_ledger.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the monthly close

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    reverses: Mapped[LedgerEntry | None] = relationship(remote_side="LedgerEntry.id")

    @property
    def kind_label(self) -> str:
        return rules.KIND_LABELS.get(self.kind, self.kind)

    @property
    def rule_label(self) -> str:
        return rules.rule_label(self.rule)


class Ranking(db.Model):  # type: ignore[name-defined,misc]
    """A person's place in their group (county, or the city) for a closed period."""

    __tablename__ = "assessment_rankings"
    __table_args__ = (UniqueConstraint("period", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    county_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    position: Mapped[int] = mapped_column(Integer)
    group_size: Mapped[int] = mapped_column(Integer)
    unified_score: Mapped[float] = mapped_column(Float)
    test_score: Mapped[float | None] = mapped_column(Float)
    deductions: Mapped[float] = mapped_column(Float, default=0.0)
    indicators: Mapped[float] = mapped_column(Float, default=0.0)
    band: Mapped[str | None] = mapped_column(String(8))  # top | bottom

    user: Mapped[User] = relationship()


class Indicator(db.Model):  # type: ignore[name-defined,misc]
    """Points from the wider assessment imported by a supervisor before the close (optional)."""

    __tablename__ = "assessment_indicators"
    __table_args__ = (UniqueConstraint("period", "user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    points: Mapped[float] = mapped_column(Float)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Notice(db.Model):  # type: ignore[name-defined,misc]
    """The published notice (通报) of one county for one period: the reviewed text, frozen at publication."""

    __tablename__ = "assessment_notices"
    __table_args__ = (UniqueConstraint("period", "county_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    county_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    body_html: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    county: Mapped[Unit] = relationship()
    published_by: Mapped[User] = relationship()


CONFIRMED, REJECTED = "confirmed", "rejected"


class PostAdjustmentDecision(db.Model):  # type: ignore[name-defined,misc]
    """A city-level supervisor's decision on a ``post_adjustment`` recommendation (the entry itself never changes)."""

    __tablename__ = "assessment_post_adjustment_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("assessment_ledger.id"), unique=True)
    decision: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    entry: Mapped[LedgerEntry] = relationship()
    decided_by: Mapped[User] = relationship()


class Regrade(db.Model):  # type: ignore[name-defined,misc]
    """A quiz regraded after a key correction (``lms.attempts.regrade.apply_regrade``), kept so the monthly close can
    carry the changed scores into closed periods' outcomes and the ledger; ``reconciled_at`` is when it did."""

    __tablename__ = "assessment_regrades"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(100))
    correction: Mapped[dict[str, Any]] = mapped_column(JSON)  # the corrected key, as the trainer entered it
    regraded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    regraded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reconciled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    regraded_by: Mapped[User | None] = relationship()
    attempts: Mapped[list[RegradedAttempt]] = relationship(back_populates="regrade", order_by="RegradedAttempt.id")


class RegradedAttempt(db.Model):  # type: ignore[name-defined,misc]
    """One attempt whose score a regrade changed: "was this attempt regraded, from what to what?" is one lookup."""

    __tablename__ = "assessment_regraded_attempts"
    __table_args__ = (UniqueConstraint("regrade_id", "attempt_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    regrade_id: Mapped[int] = mapped_column(ForeignKey("assessment_regrades.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    old_score: Mapped[float | None] = mapped_column(Float)
    new_score: Mapped[float | None] = mapped_column(Float)
    old_passed: Mapped[bool | None] = mapped_column(Boolean)
    new_passed: Mapped[bool | None] = mapped_column(Boolean)

    regrade: Mapped[Regrade] = relationship(back_populates="attempts")


class OutcomeRevision(db.Model):  # type: ignore[name-defined,misc]
    """The audit trail of an outcome corrected in place after a regrade: what it was, what it became, and why.
    The outcome row always holds the current truth, so every reader of outcomes stays a one-row lookup."""

    __tablename__ = "assessment_outcome_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("assessment_outcomes.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    regrade_id: Mapped[int] = mapped_column(ForeignKey("assessment_regrades.id"), index=True)
    old_status: Mapped[str] = mapped_column(String(8))
    new_status: Mapped[str] = mapped_column(String(8))
    old_score: Mapped[float | None] = mapped_column(Float)
    new_score: Mapped[float | None] = mapped_column(Float)
    old_attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"))
    new_attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id"))
    revised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the monthly close

    regrade: Mapped[Regrade] = relationship()


class Appeal(db.Model):  # type: ignore[name-defined,misc]
    """A manager's appeal (申诉) against one of their own ledger entries; at most one per entry (``entry_id`` is
    unique). Decided by the county (or city) supervisor or an admin: upheld, the entry's ``reversal`` (written in
    the same transaction) is ``reversal_id``; rejected, the decision's reason is kept. The entry never changes."""

    __tablename__ = "assessment_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("assessment_ledger.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(String(10), index=True)  # appeal_rules.STATES
    reason: Mapped[str] = mapped_column(Text)
    # an optional photo or file (lms.courses.media: images re-encoded), stored under <LMS_MEDIA_DIR>/appeals
    attachment_name: Mapped[str | None] = mapped_column(String(80))
    attachment_original_name: Mapped[str | None] = mapped_column(String(200))
    attachment_content_type: Mapped[str | None] = mapped_column(String(100))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when the decision is due
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    reversal_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_ledger.id"), unique=True)

    entry: Mapped[LedgerEntry] = relationship(foreign_keys=[entry_id])
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    reversal: Mapped[LedgerEntry | None] = relationship(foreign_keys=[reversal_id])
    comments: Mapped[list[AppealComment]] = relationship(back_populates="appeal", order_by="AppealComment.id")

    @property
    def state_label(self) -> str:
        return appeal_rules.STATE_LABELS.get(self.state, self.state)

    @property
    def is_open(self) -> bool:
        return self.state == appeal_rules.OPEN

    def as_api(self) -> dict[str, Any]:
        return {"id": self.id, "state": self.state, "opened_at": self.opened_at.isoformat(),
                "decided_at": self.decided_at.isoformat() if self.decided_at else None}


class AppealComment(db.Model):  # type: ignore[name-defined,misc]
    """A supervisor's comment on an appeal (the grid supervisor's view, the county's notes). Insert-only."""

    __tablename__ = "assessment_appeal_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("assessment_appeals.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    appeal: Mapped[Appeal] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()


class PolicyVersion(db.Model):  # type: ignore[name-defined,misc]
    """One version of the assessment policy (lms.assessment.rules.Policy's values), in force from a period on;
    insert-only: a change is a new version. Version 0 is the settings' defaults (LMS_* in lms.config), never stored.
    A closed period keeps the policy it was closed with (``ClosedPeriod.policy``, with its version)."""

    __tablename__ = "assessment_policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    effective_from: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM: the first period it governs
    values: Mapped[dict[str, Any]] = mapped_column(JSON)  # every Policy field
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[User | None] = relationship()
