"""Domain events, so one domain can react to another without importing it.

Senders emit after their transaction commits; receivers do their own work in their own transaction.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sender: the Attempt, after it was graded and committed (by a submit or by the server at the deadline).
attempt_graded = _signals.signal("attempt-graded")
#: sender: the LedgerEntry, after it was committed (criticism, penalty, yellow card, reversal …).
ledger_entry_written = _signals.signal("ledger-entry-written")
#: sender: a tuple of LedgerEntry committed together (a monthly close writes thousands at once). Sent instead of
#: one ``ledger_entry_written`` per entry, so a receiver can do its work for all of them in one transaction;
#: receivers of ``ledger_entry_written`` should listen to this one too.
ledger_entries_written = _signals.signal("ledger-entries-written")
#: sender: the Lesson, after a sync or a publish put a new revision live.
lesson_published = _signals.signal("lesson-published")
