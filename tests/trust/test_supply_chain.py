"""Supply chain: ``make audit`` (called by ``make test``) runs bandit and pip-audit; these tests prove the gates.

- bandit finds no high-severity issue in lms/, and would find one (a planted ``shell=True``);
- the pip-audit verdict: vulnerabilities fail; an unreachable advisory service warns (fatal with
  LMS_AUDIT_REQUIRE_SERVICE=1); pip-audit's "no known vulnerabilities" after auditing nothing is not taken as clean.
"""

from __future__ import annotations

import json
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
audit = runpy.run_path(str(REPO / "scripts" / "audit_dependencies.py"), run_name="audit_dependencies")
judge, CLEAN, VULNERABLE, UNREACHABLE, FAILED = (audit[name] for name in
                                                 ("judge", "CLEAN", "VULNERABLE", "UNREACHABLE", "FAILED"))
BANDIT = str(Path(sys.executable).with_name("bandit"))


def bandit(target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BANDIT, "-q", "-r", str(target), "-lll", "-f", "json"],  # noqa: S603 - fixed arguments
                          capture_output=True, text=True, check=False, timeout=300)


def test_bandit_finds_no_high_severity_issue_in_the_product():
    result = bandit(REPO / "lms")
    findings = json.loads(result.stdout)["results"]
    assert not findings, [f"{f['filename']}:{f['line_number']} {f['test_id']} {f['issue_text']}" for f in findings]
    assert result.returncode == 0


def test_bandit_would_notice_a_high_severity_issue(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text("import subprocess\n\ndef run(name):\n    subprocess.call('ls ' + name, shell=True)\n")
    result = bandit(tmp_path)
    assert result.returncode == 1
    assert [f["test_id"] for f in json.loads(result.stdout)["results"]] == ["B602"]


def report(*dependencies: dict[str, object]) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


FLASK = {"name": "flask", "version": "3.1.0", "vulns": []}
OLD_JINJA = {"name": "jinja2", "version": "3.1.2", "vulns": [
    {"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "aliases": ["CVE-2024-22195"], "description": "xss"}]}
NOT_FOUND = {"name": "werkzeug", "skip_reason": "Dependency not found on PyPI and could not be audited: werkzeug (3.1)"}
DNS = ("Traceback (most recent call last):\n  ...\nrequests.exceptions.ConnectionError: HTTPSConnectionPool("
       "host='api.osv.dev', port=443): Max retries exceeded with url: /v1/querybatch (Caused by "
       "NameResolutionError(\"Failed to resolve 'api.osv.dev' ([Errno -2] Name or service not known)\"))\n")


@pytest.mark.parametrize(("run", "status", "exit_code", "strict_exit_code"), [
    ((0, report(FLASK), "No known vulnerabilities found\n"), CLEAN, 0, 0),
    ((0, report(FLASK, NOT_FOUND), ""), CLEAN, 0, 0),  # a private package nobody can audit: the rest was
    ((1, report(FLASK, OLD_JINJA), "Found 1 known vulnerability in 1 package\n"), VULNERABLE, 1, 1),
    ((1, report(OLD_JINJA, NOT_FOUND, NOT_FOUND), ""), VULNERABLE, 1, 1),  # found even with the service half-there
    ((0, report(NOT_FOUND, NOT_FOUND), "No known vulnerabilities found\n"), UNREACHABLE, 0, 1),  # audited nothing
    ((1, "", DNS), UNREACHABLE, 0, 1),
    ((1, "", "ERROR: invalid requirement: 'flask=='\n"), FAILED, 1, 1),
    ((2, "not json", ""), FAILED, 1, 1),
], ids=["clean", "clean-one-private", "vulnerable", "vulnerable-partial", "mirror-without-json-api", "dns",
        "broken", "garbage"])
def test_the_audit_verdict(run, status, exit_code, strict_exit_code):
    verdict = judge(*run)  # (pip-audit's exit code, its JSON report, its stderr)
    assert verdict.status == status, verdict.message
    assert verdict.exit_code(require_service=False) == exit_code
    assert verdict.exit_code(require_service=True) == strict_exit_code
    if status == VULNERABLE:
        assert "jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in verdict.message


def test_make_test_runs_the_audit():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    test_target = re.search(r"^test:(.*)$", makefile, re.MULTILINE)
    assert test_target is not None
    assert "audit" in test_target.group(1).split()
    recipe = re.search(r"^audit:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe is not None
    assert "bandit -q -r lms -lll" in recipe.group(1)
    assert "scripts/audit_dependencies.py" in recipe.group(1)
    assert (REPO / ".ci" / "run").read_text(encoding="utf-8").count("make test") >= 1
