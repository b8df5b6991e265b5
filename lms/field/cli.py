"""``flask field …``: the field day's server commands (shops-import, purge, sweep), thin wrappers over the services."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.core.clock import utcnow
from lms.core.errors import DomainError, ValidationFailed
from lms.field import photos, r3, shops
from lms.field import retention as retention_service

field = AppGroup("field", help="The field day: shops, check-ins, visits and their personal data.")


@field.command("purge")
@click.option("--days", type=int, default=None, help="Keep this many days (default: LMS_FIELD_RETENTION_DAYS).")
@click.option("--dry-run", is_flag=True, help="Count what would be purged; change nothing.")
def purge_command(days: int | None, dry_run: bool) -> None:
    """Delete the photos and clear the coordinates of check-ins, visits and ground activities, and the photos of
    shops' own reports, older than the retention period (the check-ins and their flags, the visits' answers and
    tickets, the activities' results, the reports' words stay). Records an audit entry."""
    retention = days if days is not None else int(current_app.config["LMS_FIELD_RETENTION_DAYS"])
    if retention < 1:
        raise click.BadParameter("must be at least 1", param_hint="--days")
    report = retention_service.purge_field_data(
        now=utcnow(), retention_days=retention, dry_run=dry_run, media_root=photos.media_root())
    verb = "would be purged" if dry_run else "purged"
    click.echo(f"before {report.cutoff.isoformat()} ({retention} days kept):")
    click.echo(f"  check-ins: {report.checkins} {verb}")
    click.echo(f"  visits: {report.visits} {verb}")
    click.echo(f"  ground activities: {report.activities} {verb}")
    click.echo(f"  shops' own reports (photos): {report.shop_reports} {verb}")
    click.echo(f"  photos: {report.photos_deleted} {'to delete' if dry_run else 'deleted'}")
    oldest = report.oldest_kept.isoformat() if report.oldest_kept else "none"
    click.echo(f"oldest check-in kept: {oldest}")


@field.command("sweep")
@click.option("--dry-run", is_flag=True, help="Report what would be created, change nothing.")
def sweep(dry_run: bool) -> None:
    """Make a deduction candidate for each ticket still open past its due date (once per ticket)."""
    report = r3.sweep(now=utcnow(), dry_run=dry_run)
    verb = "would create" if dry_run else "created"
    click.echo(f"{report.overdue} overdue open tickets; {verb} {len(report.created)} deduction candidates")
    for candidate in report.created:
        click.echo(f"  ticket {candidate.ticket_ids[0]}: manager {candidate.user_id}, shop {candidate.shop_id}")


@field.command("shops-import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print what the import would change; write nothing.")
def shops_import_command(file: Path, dry_run: bool) -> None:
    """Add or update shops (by code) from an .xlsx or .csv file; a bad row refuses the whole file."""
    try:
        report = shops.import_shops(file.read_bytes(), file.name,
                                    max_rows=current_app.config["LMS_ROSTER_MAX_ROWS"],
                                    max_bytes=current_app.config["LMS_UPLOAD_MAX_BYTES"], dry_run=dry_run)
    except ValidationFailed as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise click.ClickException(exc.message) from exc
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    for addition in report.diff.additions:
        click.echo(f"+ row {addition.row} {addition.code} {addition.values.name}")
    for change in report.diff.changes:
        fields = ", ".join(f"{c.field}: {c.before} -> {c.after}" for c in change.changes)
        click.echo(f"~ row {change.row} {change.code}: {fields}")
    prefix = "dry run, nothing written: " if dry_run else ""
    click.echo(f"{prefix}{file.name}: {report.rows} rows, {report.created} created, {report.updated} updated, "
               f"{report.unchanged} unchanged")


commands = [field]
