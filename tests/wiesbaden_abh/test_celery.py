"""A task round trip through a real Celery worker on Redis."""

import pytest
from celery.contrib.testing.worker import start_worker

from wiesbaden_abh.celery import app, ping


@pytest.mark.redis
def test_a_task_runs_in_a_real_worker_and_returns_its_result():
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        assert ping.delay().get(timeout=20) == "pong"


def test_the_embedded_default_uses_the_filesystem_transport(settings):
    if settings.REDIS_URL:
        pytest.skip("REDIS_URL is set: the broker is Redis")
    assert app.conf.broker_url == "filesystem://"
    folder = app.conf.broker_transport_options["data_folder_in"]
    assert folder.endswith("var/celery/queue")
