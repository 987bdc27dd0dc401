"""Links in mails and .ics UIDs use the address the development server really runs on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRINT_SITE_URL = (
    "import django; django.setup(); from django.conf import settings as s; "
    "from appointments.notifications.messages import absolute; "
    "print(s.SITE_URL, s.CSRF_TRUSTED_ORIGINS[0], absolute('/de/'))"
)


def site_url_with(**env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT", "DEBUG"}}
    env.update({"DJANGO_SETTINGS_MODULE": "wiesbaden_abh.settings", **env_overrides})
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SITE_URL],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.split()


def test_the_development_site_url_follows_the_port():
    site, origin, link = site_url_with(PORT="8101")
    assert site == origin == "http://127.0.0.1:8101"
    assert link == "http://127.0.0.1:8101/de/"


def test_without_a_port_the_site_url_stays_on_8000_and_an_explicit_site_url_wins():
    assert site_url_with()[0] == "http://127.0.0.1:8000"
    assert site_url_with(PORT="8101", SITE_URL="https://termine.example/")[0] == (
        "https://termine.example"
    )


@pytest.mark.skipif(not Path("/usr/bin/make").exists(), reason="make is not installed")
def test_make_run_hands_the_web_port_to_every_process_as_site_url():
    """honcho gives the worker PORT+100: the worker must still write the web port's links."""
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT"}}
    dry = subprocess.run(
        ["make", "-n", "--always-make", "run", "PORT=8101"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    (start,) = [line for line in dry.splitlines() if "honcho" in line]
    assert 'SITE_URL="${SITE_URL:-http://127.0.0.1:8101}"' in start
    command = start.replace(".venv/bin/honcho -f Procfile.dev start", "env")
    shown = subprocess.run(
        ["sh", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert "SITE_URL=http://127.0.0.1:8101" in shown and "PORT=8101" in shown
