"""``flask questions import FILE --bank SLUG``: a thin wrapper over the bank import service."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.core.errors import DomainError
from lms.quizzes import services

questions = AppGroup("questions", help="Question banks: import GIFT, Aiken or the .xlsx template.")


@questions.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_slug", required=True, help="Bank slug; created if it does not exist.")
@click.option("--title", default=None, help="Title of a new bank.")
@click.option("--dry-run", is_flag=True, help="Check and report, change nothing.")
def import_command(file: Path, bank_slug: str, title: str | None, dry_run: bool) -> None:
    """Import questions into a bank, all or nothing; lists every question that cannot be represented."""
    try:
        report = services.import_questions(file.read_bytes(), file.name, bank_slug, title=title, dry_run=dry_run,
                                           max_bytes=current_app.config["LMS_UPLOAD_MAX_BYTES"])
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    for name, line, reason in report.skipped:
        where = f"line {line}: " if line else ""
        click.echo(f"skipped {where}{name}: {reason}")
    prefix = "dry run: would import" if dry_run else "imported"
    click.echo(f"{file.name}: {prefix} {report.imported} new, {report.updated} updated, {report.unchanged} unchanged "
               f"into bank {report.bank}; {len(report.skipped)} skipped")


commands = [questions]
