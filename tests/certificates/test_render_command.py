"""``flask certificates render YYYY-MM``: parallel, cached, and re-rendered when the design changes."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from lms.certificates import setup


@pytest.fixture
def design_files(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the certificate template and stylesheet that a test may edit, as a deployment's own design."""
    root = Path(__file__).resolve().parents[2]
    template = tmp_path / "design" / "certificate.html"
    stylesheet = tmp_path / "design" / "certificate-pdf.css"
    template.parent.mkdir()
    shutil.copy(root / "templates" / "certificates" / "certificate.html", template)
    shutil.copy(root / "static" / "css" / "certificate-pdf.css", stylesheet)
    return template, stylesheet


@pytest.fixture
def app_config(app_config, design_files):
    template, stylesheet = design_files
    return {**app_config, "LMS_CERT_TEMPLATE": str(template), "LMS_CERT_STYLESHEET": str(stylesheet)}


def _pdfs(app) -> list[Path]:
    return sorted(Path(app.config["LMS_CERT_CACHE_DIR"]).glob("*/*.pdf"))


def test_render_fills_the_cache_in_parallel_then_renders_nothing_until_the_template_changes(
        app, runner, make_user, make_certificate, design_files):
    certificates = [make_certificate(make_user()) for _ in range(3)]
    make_certificate(make_user(), period="2026-10")  # another period is left alone

    first = runner.invoke(args=["certificates", "render", "2026-11", "--workers", "2"])
    assert first.exit_code == 0, first.output
    assert "3 certificates, 3 rendered, 0 already cached, 0 failed" in first.output
    files = _pdfs(app)
    assert len(files) == 3
    assert {c.code for c in certificates} == {f.parent.name for f in files}
    assert all(f.read_bytes().startswith(b"%PDF-") for f in files)

    second = runner.invoke(args=["certificates", "render", "2026-11", "--workers", "2"])
    assert second.exit_code == 0, second.output
    assert "0 rendered, 3 already cached" in second.output
    assert _pdfs(app) == files

    template, _ = design_files
    template.write_text(template.read_text(encoding="utf-8").replace("特发此证", "特颁此证"), encoding="utf-8")
    third = runner.invoke(args=["certificates", "render", "2026-11", "--workers", "1"])
    assert "3 rendered, 0 already cached" in third.output
    renewed = _pdfs(app)
    assert len(renewed) == 3  # the old versions were replaced, not kept beside the new ones
    assert set(renewed).isdisjoint(files)


def test_a_stylesheet_change_also_renders_again(app, runner, make_user, make_certificate, design_files):
    make_certificate(make_user())
    assert "1 rendered" in runner.invoke(args=["certificates", "render", "2026-11", "--workers", "1"]).output
    _, stylesheet = design_files
    stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\n.company { color: #000; }\n", encoding="utf-8")
    assert "1 rendered" in runner.invoke(args=["certificates", "render", "2026-11", "--workers", "1"]).output


def test_a_bad_period_is_refused_with_the_expected_form(runner):
    result = runner.invoke(args=["certificates", "render", "2026/11"])
    assert result.exit_code != 0
    assert "YYYY-MM" in result.output


def test_an_empty_period_says_so(runner):
    result = runner.invoke(args=["certificates", "render", "2030-01"])
    assert result.exit_code == 0
    assert "no certificates" in result.output


def test_a_missing_harfbuzz_subset_is_warned_about_once(app, monkeypatch, caplog):
    monkeypatch.setattr(setup.fonts, "has_harfbuzz_subset", lambda: False)
    monkeypatch.setattr(setup, "_warned_about_harfbuzz", False)
    with caplog.at_level(logging.WARNING, logger="lms.certificates.setup"):
        setup.init_app(app)
        setup.init_app(app)
    warnings = [r for r in caplog.records if "libharfbuzz-subset" in r.getMessage()]
    assert len(warnings) == 1
