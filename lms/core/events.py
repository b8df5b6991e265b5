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
#: sender: the Lesson, after a sync or a publish put a new revision live.
lesson_published = _signals.signal("lesson-published")
