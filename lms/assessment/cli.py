"""``flask close-month`` and ``flask export``: thin wrappers over the services."""

from __future__ import annotations

from pathlib import Path

import click

from lms.assessment import export, services
from lms.core.clock import utcnow
from lms.core.errors import DomainError


@click.command("close-month")
@click.argument("period")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
def close_month_command(period: str, dry_run: bool) -> None:
    """Close an assessment period (YYYY-MM): outcomes, penalties, ranking, yellow cards. Idempotent."""
    try:
        report = services.close_month(period, now=utcnow(), dry_run=dry_run)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(report.summary())
    if dry_run:
        for entry in report.entries:
            person = report.people.get(entry.user_id)
            click.echo(f"  {entry.kind:<16} {person.employee_no if person else entry.user_id:<10} {entry.reason}")


@click.command("export")
@click.argument("period")
@click.option("--format", "fmt", type=click.Choice(export.FORMATS), default="xlsx", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(period: str, fmt: str, output: Path) -> None:
    """Export a period's results and ledger for payroll and the wider assessment."""
    try:
        services.check_period(period)
        data = export.export_period(period, fmt, viewer=None)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    output.write_bytes(data)
    click.echo(f"{period}: {len(data)} bytes written to {output}")


commands = [close_month_command, export_command]
