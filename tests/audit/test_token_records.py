"""Creating an API token for another system is an administrative act: recorded, without the token itself."""

from __future__ import annotations

import json

from sqlalchemy import select

from lms.audit import rules
from lms.audit.models import AuditEntry
from lms.extensions import db


def test_a_token_made_at_the_command_line_is_recorded_without_the_token(runner, make_user):
    person = make_user("manager")
    result = runner.invoke(args=["tokens", "create", "--user", person.employee_no, "--label", "HR sync"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == rules.TOKEN_CREATED)).all()
    assert [(e.target_user_id, e.subject, e.actor_label) for e in entries] == [(person.id, "HR sync", "cli")]
    stored = json.dumps({"subject": entries[0].subject, "changes": entries[0].changes, "reason": entries[0].reason})
    assert token not in stored
    assert token[len("lms_"):][:12] not in stored
