"""``flask certificates render YYYY-MM``: every certificate PDF of a period, in parallel, into the cache."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.certificates import services
from lms.core.errors import ValidationFailed

certificates = AppGroup("certificates", help="Certificate PDFs.")


@certificates.command("render")
@click.argument("period")
@click.option("--workers", type=int, default=None, help="Processes to render with (default: one per CPU).")
def render(period: str, workers: int | None) -> None:
    """Render every certificate PDF of PERIOD (YYYY-MM) that the cache does not have yet."""
    try:
        total = len(services.documents_of_period(period))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="PERIOD") from exc
    if total == 0:
        click.echo(f"{period}: no certificates")
        return
    with click.progressbar(length=total, label=f"{period} 证书", show_pos=True) as bar:
        try:
            report = services.render_period(period, workers=workers, progress=bar.update)
        except ValidationFailed as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{period}: {report.total} certificates, {report.rendered} rendered, {report.cached} already cached, "
               f"{len(report.failed)} failed")
    for problem in report.failed:
        click.echo(f"  failed {problem}", err=True)
    if report.failed:
        raise SystemExit(1)


commands = [certificates]
