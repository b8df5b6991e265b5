"""Audit the installed Python dependencies against the public advisory database with pip-audit (``make audit``).

Found vulnerabilities fail the build. An advisory service that cannot be reached (no network, DNS, or a package
mirror that does not serve PyPI's JSON API, so every package comes back "not found") is reported loudly but does
not fail it: a machine that can install packages is not always a machine that can reach the advisories. Set
``LMS_AUDIT_REQUIRE_SERVICE=1`` where the service must be reachable (a CI runner with internet access) to make that
fatal too. pip-audit itself exits 0 when it audited nothing, which is why its JSON report is read here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass

CLEAN, VULNERABLE, UNREACHABLE, FAILED = "clean", "vulnerable", "unreachable", "failed"
NETWORK_TROUBLE = re.compile(
    r"ConnectionError|NameResolutionError|Max retries exceeded|gaierror|Temporary failure in name resolution|"
    r"Name or service not known|Failed to establish a new connection|ConnectTimeout|ReadTimeout|timed out|"
    r"ProxyError|Network is unreachable|Connection refused")
NOT_ON_SERVICE = "not found on PyPI"


@dataclass(frozen=True)
class Verdict:
    status: str
    message: str

    def exit_code(self, *, require_service: bool) -> int:
        if self.status == CLEAN or (self.status == UNREACHABLE and not require_service):
            return 0
        return 1


def judge(returncode: int, stdout: str, stderr: str) -> Verdict:
    """What one pip-audit run (``-f json``) means for the build."""
    try:
        report = json.loads(stdout)
    except ValueError:
        if NETWORK_TROUBLE.search(stderr):
            return Verdict(UNREACHABLE, "pip-audit could not reach its advisory service: " + _last_line(stderr))
        return Verdict(FAILED, f"pip-audit failed (exit {returncode}): {_last_line(stderr) or 'no output'}")
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    if vulnerable:
        lines = [f"  {d['name']} {d.get('version', '')}: " + ", ".join(
            f"{v['id']} (fixed in {', '.join(v.get('fix_versions') or ['no release yet'])})" for v in d["vulns"])
            for d in vulnerable]
        return Verdict(VULNERABLE, f"{len(vulnerable)} package(s) with known vulnerabilities:\n" + "\n".join(lines))
    audited = [d for d in dependencies if "skip_reason" not in d]
    unknown = [d for d in dependencies if NOT_ON_SERVICE in d.get("skip_reason", "")]
    if not audited and unknown:
        return Verdict(UNREACHABLE, f"the advisory service answered for none of the {len(unknown)} packages "
                                    "(the index reachable here does not serve PyPI's JSON API); nothing was audited")
    if returncode != 0:
        return Verdict(FAILED, f"pip-audit failed (exit {returncode}): {_last_line(stderr) or 'no output'}")
    skipped = f"; {len(dependencies) - len(audited)} skipped" if len(audited) < len(dependencies) else ""
    return Verdict(CLEAN, f"{len(audited)} packages audited, no known vulnerabilities{skipped}")


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def main() -> int:
    command = [sys.executable, "-m", "pip_audit", "--skip-editable", "--progress-spinner", "off", "-f", "json"]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
    except subprocess.TimeoutExpired:
        verdict = Verdict(UNREACHABLE, "pip-audit did not finish in 10 minutes (advisory service too slow)")
    else:
        verdict = judge(run.returncode, run.stdout, run.stderr)
    require_service = os.environ.get("LMS_AUDIT_REQUIRE_SERVICE", "") in ("1", "true", "yes")
    code = verdict.exit_code(require_service=require_service)
    label = {CLEAN: "ok", VULNERABLE: "FAIL", FAILED: "FAIL"}.get(
        verdict.status, "FAIL" if code else "WARNING (not fatal; LMS_AUDIT_REQUIRE_SERVICE=1 makes it fatal)")
    print(f"pip-audit: {label}: {verdict.message}", file=sys.stderr if code or verdict.status != CLEAN else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main())
