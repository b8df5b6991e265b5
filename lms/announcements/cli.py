"""``flask outbox send`` and ``flask reminders run``: thin wrappers over the use cases, for cron or a worker."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from lms.announcements import outbox as outbox_service  # aliased: the command groups own those names
from lms.announcements import queries
from lms.announcements import reminders as reminders_service
from lms.core.clock import parse_local, utcnow

outbox = AppGroup("outbox", help="Outbound messages (e-mail, group robots, webhooks).")
reminders = AppGroup("reminders", help="Reminders the system sends by itself.")


@outbox.command("send")
@click.option("--limit", default=100, show_default=True, help="At most this many messages per round.")
@click.option("--loop", is_flag=True, help="Keep running (a worker): send, sleep, repeat.")
@click.option("--interval", default=30, show_default=True, help="Seconds between rounds with --loop.")
def send_command(limit: int, loop: bool, interval: int) -> None:
    """Send the messages that are due, retrying failures with back-off. Safe to run from several places at once."""
    while True:
        report = outbox_service.send_due(limit=limit)
        click.echo(f"{utcnow():%Y-%m-%d %H:%M:%S} {report.summary()}")
        if not loop:
            if report.failed:
                raise SystemExit(1)  # cron mails the output of a failing job to its owner
            return
        if report.sent + report.retrying + report.failed < limit:
            time.sleep(interval)


@outbox.command("status")
def status_command() -> None:
    """Counts of messages by status."""
    counts = queries.outbox_counts()
    for key in ("pending", "sending", "sent", "failed", "cancelled"):
        click.echo(f"{key}: {counts.get(key, 0)}")


@reminders.command("run")
@click.option("--dry-run", is_flag=True, help="Count what is due; write nothing.")
@click.option("--now", "now_text", default=None, help="Pretend it is this time (ISO 8601, local if no offset).")
def run_command(dry_run: bool, now_text: str | None) -> None:
    """Create the reminders due now (test window open, closing soon, make-up). Idempotent."""
    now = parse_local(now_text) if now_text else utcnow()
    report = reminders_service.run_reminders(now=now, dry_run=dry_run)
    click.echo(("[dry run] " if dry_run else "") + report.summary())


commands = [outbox, reminders]
