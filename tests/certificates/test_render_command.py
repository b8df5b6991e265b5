"""``flask certificates render YYYY-MM``: parallel, cached, and re-rendered when the design changes."""

from __future__ import annotations

import logging
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import flask
import pytest

from lms.certificates import rendering, services, setup


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


def test_one_broken_certificate_is_reported_by_code_and_the_others_still_render(app, runner, make_user,
                                                                               make_certificate):
    good = [make_certificate(make_user()) for _ in range(3)]
    broken = make_certificate(make_user())
    cache = Path(app.config["LMS_CERT_CACHE_DIR"])
    cache.mkdir(parents=True, exist_ok=True)
    (cache / broken.code).write_text("a file where its folder should be", encoding="utf-8")  # its PDF cannot be stored

    result = runner.invoke(args=["certificates", "render", "2026-11", "--workers", "2"])

    assert result.exit_code == 1
    assert "4 certificates, 3 rendered, 0 already cached, 1 failed" in result.output
    assert f"failed {broken.code}: " in result.output
    assert {f.parent.name for f in _pdfs(app)} == {c.code for c in good}


def test_a_worker_renders_from_the_design_it_is_given_without_an_app(app, make_user, make_certificate, monkeypatch):
    certificate = make_certificate(make_user(name="<b>李</b>雷"))
    design, document = rendering.current_design(), services.document_for(certificate)
    monkeypatch.setattr(rendering, "_worker_design", None)  # start_worker sets it for the rest of a worker's life

    def in_a_worker() -> tuple[bool, list[rendering.Outcome]]:
        rendering.start_worker(design)
        return flask.has_app_context(), rendering.render_batch([document])

    with ThreadPoolExecutor(max_workers=1) as thread:  # a new thread has no app context, like a worker process
        had_app, outcomes = thread.submit(in_a_worker).result()

    assert not had_app
    assert outcomes == [(certificate.code, True, None)]
    assert _pdfs(app) == [rendering.cached_path(document, design)]
    assert "&lt;b&gt;李&lt;/b&gt;雷" in rendering.render_html(document, design)  # escaped as Flask's templates are


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
