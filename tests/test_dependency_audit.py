"""CI audits the locked dependencies for known vulnerabilities (tools/audit_dependencies.py),
never fails for lack of network, and ruff keeps bandit's security rules (`S`) on."""

import importlib.util
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _audit():
    spec = importlib.util.spec_from_file_location("audit", ROOT / "tools" / "audit_dependencies.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_known_vulnerability_fails_the_audit():
    report = {
        "dependencies": [
            {
                "name": "django",
                "version": "5.2.0",
                "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.1"]}],
            },
            {"name": "celery", "version": "5.4.0", "vulns": []},
        ]
    }
    code, message = _audit().verdict(report)
    assert code == 1 and "django 5.2.0: PYSEC-1 (fixed in 5.2.1)" in message


def test_a_clean_audit_passes_and_says_how_much_was_audited():
    report = {
        "dependencies": [
            {"name": "celery", "version": "5.4.0", "vulns": []},
            {"name": "altcha", "version": "2.3.0", "skip_reason": "not found"},
        ]
    }
    assert _audit().verdict(report) == (0, "1 of 2 locked packages audited: none vulnerable")


def test_no_database_means_a_notice_never_a_failure(monkeypatch, capsys):
    audit = _audit()
    skipped = {"dependencies": [{"name": "celery", "version": "5.4.0", "skip_reason": "x"}]}
    assert audit.verdict(skipped)[0] == 0
    assert audit.verdict(None)[0] == 0
    monkeypatch.setattr(audit, "reachable", lambda service: False)
    monkeypatch.setattr(audit, "run", lambda *args: pytest_fail())
    assert audit.main(["audit"]) == 0
    assert "skipped" in capsys.readouterr().out


def pytest_fail():
    raise AssertionError("pip-audit must not run without a reachable database")


def test_ci_runs_the_audit_with_pip_audit_locked():
    assert "tools/audit_dependencies.py" in (ROOT / ".ci" / "run").read_text()
    assert "pip-audit" in (ROOT / "README.md").read_text()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert any(
        dep.startswith("pip-audit") for dep in project["project"]["optional-dependencies"]["dev"]
    )
    locked = (ROOT / "requirements.lock").read_text().lower().replace("_", "-")
    assert "\npip-audit==" in locked


def test_ruff_keeps_the_bandit_security_rules_on_for_the_code():
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "S" in lint["select"]
    # only these narrow exceptions: assert (S101) and non-crypto random (S311)
    assert {rule for rule in lint["ignore"] if rule.startswith("S")} <= {"S101", "S311"}
    for pattern, rules in lint.get("per-file-ignores", {}).items():
        if "S" in rules:
            assert pattern.startswith(("tests/", "benchmarks/")), pattern
