"""A web worker prepares the hot paths' per-process state before its first request
(wiesbaden_abh/warmup.py, called from wsgi.py): the first booking a fresh worker served built
the URL resolvers, catalogues, mail templates, the e-mail validator's pattern and Celery's
registry, a tenth of a second."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.urls import clear_url_caches, get_resolver

from wiesbaden_abh import warmup

ROOT = Path(__file__).resolve().parents[2]


def test_the_mail_templates_are_found():
    names = warmup.mail_templates()
    assert "appointments/email/verification.html" in names
    assert "appointments/email/confirmation_subject.txt" in names


@pytest.mark.django_db
def test_warming_up_builds_resolvers_and_templates_without_a_query(django_assert_num_queries):
    clear_url_caches()  # a fresh resolver, as in a new process
    loader = engines["django"].engine.template_loaders[0]
    loader.reset()
    with django_assert_num_queries(0):
        seconds = warmup.warm()
    assert seconds >= 0
    built = set(get_resolver()._reverse_dict)
    assert {code for code, _name in settings.LANGUAGES} <= built
    assert set(warmup.mail_templates()) <= set(loader.get_template_cache)


def test_a_worker_starts_while_the_database_and_the_broker_are_down():
    # Nothing listens on port 9: the import (and so the warm-up) must not connect to either.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wiesbaden_abh.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
        "REDIS_URL": "redis://127.0.0.1:9/0",
        "DEBUG": "0",
        "SECRET_KEY": "warm-up-test-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "INFO",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import wiesbaden_abh.wsgi"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "warmed up in" in done.stdout + done.stderr
