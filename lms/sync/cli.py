from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.core.sync import run_sync


@click.command("sync")
@click.option("--check", is_flag=True, help="Validate the files only; write nothing.")
@with_appcontext
def sync_command(check: bool) -> None:
    """Load content/ and quizzes/ into the database in one transaction (all or nothing)."""
    result = run_sync(dict(current_app.config), check_only=check)
    if result.problems:
        for problem in result.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(f"{len(result.problems)} problem(s) found; nothing was changed")
    if check:
        click.echo("check passed: no problems found")
        return
    for report in result.reports:
        click.echo(report.summary())


commands = [sync_command]
