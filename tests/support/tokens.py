"""API tokens for tests, made as an administrator makes them: with the ``tokens create`` command."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskCliRunner


def issue_token(runner: FlaskCliRunner, user: Any, label: str = "test") -> str:
    """A new API token of ``user``: the last line the command prints."""
    result = runner.invoke(args=["tokens", "create", "--user", user.employee_no, "--label", label])
    assert result.exit_code == 0, result.output
    return str(result.output.strip().splitlines()[-1])


def bearer_headers(runner: FlaskCliRunner, user: Any, label: str = "test") -> dict[str, str]:
    """The ``Authorization`` header of a new API token of ``user``."""
    return {"Authorization": f"Bearer {issue_token(runner, user, label)}"}
