"""``flask users …`` and ``flask tokens …``: thin wrappers over the services."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.accounts import people, services
from lms.core.errors import DomainError

users = AppGroup("users", help="People: roster import and password resets.")
tokens = AppGroup("tokens", help="API tokens for other systems.")


@users.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Import or update people from an .xlsx or .csv roster (all or nothing)."""
    try:
        report = people.import_roster(
            file.read_bytes(), file.name,
            max_rows=current_app.config["LMS_ROSTER_MAX_ROWS"],
            max_bytes=current_app.config["LMS_UPLOAD_MAX_BYTES"],
        )
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{file.name}: {report.rows} rows, {report.created} created, {report.updated} updated")


@users.command("set-password")
@click.argument("employee_no")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def set_password_command(employee_no: str, password: str) -> None:
    """Set a person's password (an administrator's reset; the password policy applies; their sessions end)."""
    try:
        services.set_password(employee_no, password)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc  # the message and, for a weak password, every reason
    click.echo(f"password set for {employee_no}")


@tokens.command("create")
@click.option("--user", "employee_no", required=True, help="Employee number the token acts as.")
@click.option("--label", default="", help="What the token is for.")
def create_token_command(employee_no: str, label: str) -> None:
    """Create an API token; the token is printed alone on the last line."""
    try:
        token = services.create_token(employee_no, label)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"token for {employee_no} (store it now; it is not shown again):")
    click.echo(token)


commands = [users, tokens]
