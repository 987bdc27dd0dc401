"""The settings module: development defaults, production refusal, security switches."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 20 + "x9Qz-7Lm2_Vb8Np4Rt6Yw1Ae3Sd5Fg0Hj" + "q" * 10

PRINT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'engine': s.DATABASES['default']['ENGINE'], "
    "'conn_max_age': s.DATABASES['default'].get('CONN_MAX_AGE'), "
    "'ssl_redirect': s.SECURE_SSL_REDIRECT, 'broker': s.CELERY_BROKER_URL, "
    "'email_backend': s.EMAIL_BACKEND, 'time_zone': s.TIME_ZONE}))"
)


def run_with(env_overrides, code=PRINT_SETTINGS, args=None):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "DATABASE_URL",
            "REDIS_URL",
            "EMAIL_URL",
            "SECURE_SSL_REDIRECT",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update({"DJANGO_SETTINGS_MODULE": "wiesbaden_abh.settings", **env_overrides})
    command = [sys.executable, *(args or ["-c", code])]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_with_nothing_set_it_runs_in_development_mode_on_sqlite_and_filesystem_broker():
    result = run_with({})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is True
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["broker"] == "filesystem://"
    assert values["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert values["time_zone"] == "Europe/Berlin"
    assert values["ssl_redirect"] is False


def test_production_refuses_to_start_without_a_secret_key():
    result = run_with({"DEBUG": "off"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_short_or_insecure_secret_key():
    for key in ("short", "django-insecure-" + "x" * 60):
        result = run_with({"DEBUG": "off", "SECRET_KEY": key})
        assert result.returncode != 0, key
        assert "SECRET_KEY" in result.stderr


def test_production_uses_persistent_connections_and_redirects_to_https():
    result = run_with(
        {
            "DEBUG": "off",
            "SECRET_KEY": STRONG_KEY,
            "DATABASE_URL": "postgres://abh:pw@db.example:5432/abh",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "EMAIL_URL": "smtp://mail.example:25",
        }
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["engine"] == "wiesbaden_abh.postgresql"  # Django's, cheaper health check
    assert values["conn_max_age"] == 60
    assert values["ssl_redirect"] is True
    assert values["broker"] == "redis://127.0.0.1:6379/0"
    assert values["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"


def test_ssl_redirect_can_be_switched_off_behind_a_tls_proxy():
    result = run_with({"DEBUG": "off", "SECRET_KEY": STRONG_KEY, "SECURE_SSL_REDIRECT": "off"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["ssl_redirect"] is False


def test_a_malformed_flag_is_refused_with_its_name():
    result = run_with({"DEBUG": "perhaps"})
    assert result.returncode != 0
    assert "DEBUG must be on or off" in result.stderr


def test_deploy_checks_are_clean_under_production_settings():
    result = run_with(
        {
            "DEBUG": "off",
            "SECRET_KEY": STRONG_KEY,
            "ALLOWED_HOSTS": "termine.wiesbaden.example",
            "STAFF_2FA_REQUIRED": "on",  # as docker-compose.yml sets it
        },
        args=["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
    )
    assert result.returncode == 0, result.stdout + result.stderr
