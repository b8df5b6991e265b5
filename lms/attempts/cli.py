"""``flask attempts sweep``: finish attempts whose deadline + grace has passed (for cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.attempts import services
from lms.core.clock import utcnow

attempts = AppGroup("attempts", help="Quiz attempts.")


@attempts.command("sweep")
def sweep_command() -> None:
    """Grade every in-progress attempt whose time (plus grace) is over, from its saved answers."""
    finished = services.finish_expired_attempts(utcnow())
    click.echo(f"{finished} expired attempt(s) finished")


commands = [attempts]
