"""The monthly close's side effects stay batched: one event for all its ledger entries, certificates issued in bulk,
and a number of statements that does not grow with the number of people (the 10,000-manager close)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.announcements.models import InboxMessage
from lms.assessment import services
from lms.assessment.models import LedgerEntry
from lms.attempts.models import Attempt
from lms.certificates.models import Certificate
from lms.core import events
from lms.extensions import db
from tests.support.databases import statements_run
from tests.support.quizzes import after_close


def close_counting_statements(period: str) -> tuple[services.CloseReport, int]:
    with statements_run() as statements:
        report = services.close_month(period, now=after_close(period))
    return report, len(statements)


def test_the_close_sends_one_event_for_all_its_entries_and_each_person_gets_their_message(
        managers, monthly_quiz, take):
    people = managers(6)
    quiz = monthly_quiz("2026-11")
    take(quiz, {people[0]: 95, people[1]: 88, people[2]: 60, people[3]: 79.9})  # two absent
    batches, singles = [], []

    def on_batch(entries, **_kwargs):
        batches.append(entries)

    def on_single(entry, **_kwargs):
        singles.append(entry)

    # connected_to disconnects on exit (a bound list.append could not be disconnected: a new object each time)
    with events.ledger_entries_written.connected_to(on_batch), events.ledger_entry_written.connected_to(on_single):
        services.close_month("2026-11", now=after_close("2026-11"))
    entries = list(db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)))
    assert len(entries) >= 4  # criticism for 2 fails + 2 absent, rewards, yellow cards
    assert len(batches) == 1
    assert [e.id for e in batches[0]] == [e.id for e in entries]
    assert singles == []
    messages = {(m.user_id, m.event_key) for m in db.session.scalars(
        select(InboxMessage).where(InboxMessage.kind == "ledger"))}
    assert len(messages) == len(entries)
    assert {user_id for user_id, _ in messages} == {e.user_id for e in entries}


def test_the_close_issues_one_certificate_per_passing_attempt_stating_the_holder_and_score(
        managers, monthly_quiz, take):
    passer, borderline, failer = managers(3)
    passer.name = "欧阳建国"
    db.session.commit()
    quiz = monthly_quiz("2026-11")
    take(quiz, {passer: 92.5, borderline: 80, failer: 79.9})
    report = services.close_month("2026-11", now=after_close("2026-11"))
    assert report.certificates == 2
    certificates = {c.user_id: c for c in db.session.scalars(select(Certificate))}
    assert set(certificates) == {passer.id, borderline.id}
    mine = certificates[passer.id]
    assert (mine.holder_name, mine.quiz_title, mine.period, mine.score) == ("欧阳建国", quiz.title, "2026-11", 92.5)
    attempt_ids = set(db.session.scalars(select(Attempt.id).where(Attempt.user_id.in_([passer.id, borderline.id]))))
    assert {c.attempt_id for c in certificates.values()} == attempt_ids
    assert len({c.code for c in certificates.values()}) == 2


@pytest.mark.parametrize("people", [4, 40])
def test_the_number_of_statements_of_a_close_does_not_depend_on_the_number_of_people(
        managers, monthly_quiz, take, people):
    staff = managers(people)
    quiz = monthly_quiz("2026-11")
    # a third fail (criticism, messages), the rest pass (certificates)
    take(quiz, {person: (60 if i % 3 == 0 else 90) for i, person in enumerate(staff)})
    report, statements = close_counting_statements("2026-11")
    assert report.certificates == sum(1 for i in range(people) if i % 3)
    assert db.session.scalar(select(func.count()).select_from(InboxMessage)) == len(report.entries)
    # measured: 26 for 4 people and for 40, on SQLite and PostgreSQL; one per person or entry would be 50 to 130
    assert statements < 40
