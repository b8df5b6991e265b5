"""``flask users …`` and ``flask tokens …``: thin wrappers over the services."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.accounts import people, rules, services
from lms.core.errors import DomainError

users = AppGroup("users", help="People: roster import and password resets.")
tokens = AppGroup("tokens", help="API tokens for other systems.")


def _shown(field: str, value: object) -> str:
    if field == "role":
        return rules.ROLE_LABELS.get(str(value), str(value))
    if field == "active":
        return "在职" if value else "停用"
    return str(value) if value else ("全市" if field == "unit" else "—")


def echo_roster_diff(diff: rules.RosterDiff) -> None:
    """The preview, one line per person: + added, ~ changed (field old -> new), - deactivated, ! refused."""
    for addition in diff.additions:
        p = addition.person
        click.echo(f"+ row {addition.row} {p.employee_no} {p.name} {_shown('role', p.role)} "
                   f"{_shown('unit', rules.unit_text(p.county, p.grid))}")
    for change in diff.changes:
        fields = "; ".join(f"{f.field}: {_shown(f.field, f.before)} -> {_shown(f.field, f.after)}"
                           for f in change.changes)
        click.echo(f"~ row {change.row} {change.after.employee_no} {change.before.name}: {fields}")
    for deactivation in diff.deactivations:
        p = deactivation.person
        click.echo(f"- {p.employee_no} {p.name} {_shown('role', p.role)}: deactivated (missing from the full roster)")
    for refusal in diff.refusals:
        where = f"row {refusal.row}" if refusal.row is not None else "deactivation"
        click.echo(f"! {where} {refusal.employee_no} {refusal.name}: refused, {refusal.reason}")


@users.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print what the import would change; write nothing.")
@click.option("--deactivate-missing", is_flag=True,
              help="The file is the full roster: deactivate active channel managers missing from it.")
def import_command(file: Path, dry_run: bool, deactivate_missing: bool) -> None:
    """Import or update people from an .xlsx or .csv roster.

    A bad row refuses the whole file. Role changes to or from admin are taken as confirmed (you are at the server),
    but the last active admin is never demoted or deactivated: such rows are refused and the rest written.
    """
    try:
        report = people.import_roster(
            file.read_bytes(), file.name,
            max_rows=current_app.config["LMS_ROSTER_MAX_ROWS"],
            max_bytes=current_app.config["LMS_UPLOAD_MAX_BYTES"],
            deactivate_missing=deactivate_missing, dry_run=dry_run,
        )
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    echo_roster_diff(report.diff)
    prefix = "dry run, nothing written: " if dry_run else ""
    click.echo(f"{prefix}{file.name}: {report.rows} rows, {report.created} created, {report.updated} updated, "
               f"{report.deactivated} deactivated, {report.diff.unchanged} unchanged, {report.refused} refused")


@users.command("set-password")
@click.argument("employee_no")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--temporary", is_flag=True, help="The person must choose a new password at the next sign-in.")
def set_password_command(employee_no: str, password: str, temporary: bool) -> None:
    """Set a person's password (an administrator's reset; the password policy applies; their sessions end)."""
    try:
        services.set_password(employee_no, password, must_change=temporary)
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
