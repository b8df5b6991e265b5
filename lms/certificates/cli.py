"""``flask certificates render YYYY-MM``: every certificate PDF of a period, in parallel, into the cache."""

from __future__ import annotations

import re

import click
from flask.cli import AppGroup

from lms.certificates import services
from lms.core.errors import ValidationFailed

certificates = AppGroup("certificates", help="Certificate PDFs.")


@certificates.command("render")
@click.argument("period")
@click.option("--workers", type=int, default=None, help="Processes to render with (default: one per CPU).")
@click.option("--base-url", default=None, metavar="URL",
              help="Address the QR codes point to, e.g. https://lms.example.cn (default: LMS_BASE_URL).")
def render(period: str, workers: int | None, base_url: str | None) -> None:
    """Render every certificate PDF of PERIOD (YYYY-MM) that the cache does not have yet.

    Refuses to start without LMS_BASE_URL or --base-url: outside a web request nothing says where the platform is,
    and a certificate whose QR code points elsewhere cannot be checked.
    """
    base_url = (base_url or "").strip() or None
    if base_url is not None and not re.match(r"https?://[^/\s]+", base_url):
        raise click.BadParameter("an absolute http(s) address, e.g. https://lms.example.cn", param_hint="--base-url")
    if base_url is None and services.public_base_url() is None:
        raise click.UsageError(
            "LMS_BASE_URL is not set, so the certificates' QR codes and printed verify addresses would point nowhere. "
            "Set LMS_BASE_URL to the address people open (e.g. LMS_BASE_URL=https://lms.example.cn) or pass "
            "--base-url URL.")
    try:
        total = len(services.documents_of_period(period, base_url=base_url))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="PERIOD") from exc
    if total == 0:
        click.echo(f"{period}: no certificates")
        return
    with click.progressbar(length=total, label=f"{period} 证书", show_pos=True) as bar:
        try:
            report = services.render_period(period, workers=workers, base_url=base_url, progress=bar.update)
        except ValidationFailed as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{period}: {report.total} certificates, {report.rendered} rendered, {report.cached} already cached, "
               f"{len(report.failed)} failed")
    for problem in report.failed:
        click.echo(f"  failed {problem}", err=True)
    if report.failed:
        raise SystemExit(1)


commands = [certificates]
