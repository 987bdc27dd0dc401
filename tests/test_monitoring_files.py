"""deploy/prometheus-alerts.yml and deploy/grafana-dashboard.json parse, and every metric they
use is one that /metrics exposes (or Prometheus' own `up`)."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.wiesbaden_abh.test_metrics import TOKEN

ROOT = Path(__file__).resolve().parents[1]
ALERTS = ROOT / "deploy" / "prometheus-alerts.yml"
DASHBOARD = ROOT / "deploy" / "grafana-dashboard.json"
SERIES = re.compile(r"\b(abh_[a-z_]+|up)\b")
HISTOGRAM_PARTS = ("_bucket", "_count", "_sum")


def alert_expressions():
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    assert all(rule["alert"] and rule["expr"] for rule in rules)
    return [rule["expr"] for rule in rules]


def dashboard_expressions():
    dashboard = json.loads(DASHBOARD.read_text())
    targets = [target for panel in dashboard["panels"] for target in panel["targets"]]
    assert dashboard["panels"] and all(target["expr"] for target in targets)
    return [target["expr"] for target in targets]


@pytest.fixture
def exposed(client, settings, db):
    settings.METRICS_TOKEN = TOKEN
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    names = {"up"}
    for family in text_string_to_metric_families(response.content.decode()):
        # a labelled series is declared (HELP, TYPE) before its first sample
        suffixes = {"counter": ("_total",), "histogram": HISTOGRAM_PARTS}.get(family.type, ("",))
        names.update(family.name + suffix for suffix in suffixes)
        names.update(sample.name for sample in family.samples)
    return names


@pytest.mark.parametrize("source", [alert_expressions, dashboard_expressions])
def test_every_metric_used_is_exposed(source, exposed):
    used = {name for expression in source() for name in SERIES.findall(expression)}
    assert {name for name in used if name.startswith("abh_")}, "uses no series of ours"
    missing = sorted(name for name in used if name not in exposed)
    assert missing == []


def test_the_alerts_cover_what_operators_must_hear_about():
    text = " ".join(alert_expressions())
    for series in (
        "abh_http_requests_total",
        "abh_http_request_duration_seconds_bucket",
        "abh_outbox_oldest_pending_age_seconds",
        "abh_outbox_failed_messages",
        "abh_queue_oldest_wait_seconds",
        "abh_celery_task_failures_total",
        "up",
    ):
        assert re.search(rf"\b{series}\b", text), series


@pytest.mark.skipif(shutil.which("promtool") is None, reason="needs promtool (Debian: prometheus)")
def test_promtool_accepts_the_rules():
    result = subprocess.run(
        ["promtool", "check", "rules", str(ALERTS)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
