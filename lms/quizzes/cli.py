"""``flask questions import FILE --bank SLUG [--strict] [--dry-run]``: a thin wrapper over the bank import service."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.core.errors import DomainError
from lms.quizzes import imports

questions = AppGroup("questions", help="Question banks: import GIFT, Aiken or the .xlsx template.")


@questions.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_slug", required=True, help="Bank slug; created if it does not exist.")
@click.option("--title", default=None, help="Title of a new bank.")
@click.option("--strict", is_flag=True, help="Any refused question: write nothing and exit with status 1.")
@click.option("--dry-run", is_flag=True, help="Check and report, change nothing.")
def import_command(file: Path, bank_slug: str, title: str | None, strict: bool, dry_run: bool) -> None:
    """Import questions into a bank, as Moodle does: the good ones are written, every skipped (type not supported)
    and refused (written wrongly) question is listed with its line and reason."""
    try:
        report = imports.import_questions(
            file.read_bytes(), file.name, bank_slug, title=title, strict=strict, dry_run=dry_run,
            max_bytes=current_app.config["LMS_UPLOAD_MAX_BYTES"])
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    plan = report.plan
    for label, items in (("skipped", plan.skipped), ("refused", plan.refused)):
        for item in items:
            where = f"line {item.line}: " if item.line else ""
            click.echo(f"{label} {where}{item.name}: {item.reason}")
    counts = (f"{plan.new} new, {plan.updated} updated, {plan.unchanged} unchanged into bank {report.bank}; "
              f"{len(plan.skipped)} skipped, {len(plan.refused)} refused")
    if strict and plan.refused:  # a dry run too: --strict --dry-run checks a file for a script
        prefix = "dry run: " if dry_run else ""
        click.echo(f"{file.name}: {prefix}--strict: nothing imported, {len(plan.refused)} refused", err=True)
        raise SystemExit(1)
    click.echo(f"{file.name}: dry run: would import {counts}" if dry_run else f"{file.name}: imported {counts}")


commands = [questions]
