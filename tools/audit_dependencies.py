"""Known vulnerabilities in the locked dependencies: pip-audit over requirements.lock.

    python tools/audit_dependencies.py [requirements.lock]

Exit 1 when a locked package has a known vulnerability; exit 0 with a printed notice when no
vulnerability database answers (offline, or a registry mirror without PyPI's JSON API), so CI
never fails for lack of network. Set PIP_AUDIT_SERVICE=osv to ask osv.dev instead of PyPI.
"""

import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBES = {  # one request that answers only where the service's database is reachable
    "pypi": ("https://pypi.org/pypi/pip/json", None),
    "osv": ("https://api.osv.dev/v1/query", b'{"package": {"name": "pip", "ecosystem": "PyPI"}}'),
}
TIMEOUT_SECONDS = 600


def reachable(service):
    url, body = PROBES[service]
    try:
        with urllib.request.urlopen(url, data=body, timeout=10) as answer:  # noqa: S310 (fixed https)
            return answer.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def verdict(report):
    """(exit code, message) for pip-audit's JSON report; None stands for no report at all."""
    if not report:
        return 0, "skipped: pip-audit gave no report (vulnerability database not reachable)"
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    if not audited:
        return 0, "skipped: no locked package was found in the vulnerability database"
    found = [
        f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v.get('fix_versions') or '')})"
        for d in audited
        for v in d.get("vulns", [])
    ]
    if found:
        return 1, "known vulnerabilities:\n  " + "\n  ".join(found)
    return 0, f"{len(audited)} of {len(dependencies)} locked packages audited: none vulnerable"


def run(lock_file, service):
    """pip-audit's JSON report for the lock file (pins only, nothing installed), or None."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "report.json"
        command = [
            sys.executable, "-m", "pip_audit",
            "--requirement", str(lock_file),
            "--no-deps", "--disable-pip",  # the lock pins every package: audit exactly those
            "--vulnerability-service", service,
            "--format", "json", "--output", str(output),
            "--progress-spinner", "off",
        ]  # fmt: skip
        try:
            done = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
                command, timeout=TIMEOUT_SECONDS, check=False, capture_output=True, text=True
            )
        except subprocess.TimeoutExpired:
            return None
        if done.returncode not in (0, 1):  # 1: vulnerabilities found, all else is trouble
            print(done.stderr[-2000:], file=sys.stderr)
        try:
            return json.loads(output.read_text())
        except (OSError, ValueError):
            return None


def main(argv):
    lock_file = Path(argv[1]) if len(argv) > 1 else ROOT / "requirements.lock"
    service = os.environ.get("PIP_AUDIT_SERVICE", "pypi")
    if not reachable(service):
        code, message = 0, f"skipped: the vulnerability database ({service}) is not reachable"
    else:
        code, message = verdict(run(lock_file, service))
    print(f"[audit] {message}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
