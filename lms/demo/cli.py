from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.demo import services
from lms.demo.people import DEMO_PASSWORD


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo organisation, people and history (idempotent) and print the demo accounts."""
    report = services.load_demo()
    click.echo(f"people: {report.people_created} created, {report.people_kept} already there")
    for line in report.history:
        click.echo(line)
    click.echo("")
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD})")
    click.echo(f"{'工号':<8}{'角色':<12}{'姓名':<8}单位")
    for user in services.demo_accounts():
        click.echo(f"{user.employee_no:<10}{user.role:<12}{user.name:<8}{user.unit_label}")


commands = [demo_command]
