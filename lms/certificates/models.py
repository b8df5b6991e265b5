"""A certificate states what was true when it was issued: the holder, quiz, period and score are copied onto it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.attempts.models import Attempt
from lms.core.clock import utcnow
from lms.core.types import UTCDateTime
from lms.extensions import db


class Certificate(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)  # lms.certificates.rules.generate_code
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), unique=True)  # one per attempt
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(50))
    quiz_title: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM the result counts for
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float, default=100.0)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    attempt: Mapped[Attempt] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return f"<Certificate {self.code}>"
