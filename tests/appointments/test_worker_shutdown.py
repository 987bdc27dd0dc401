"""Graceful shutdown of a real Celery worker (a subprocess on Redis and the test's PostgreSQL
database): stopped with SIGTERM in the middle of an outbox sweep, it finishes the mail it is
sending, claims no further row and exits; nothing stays "sending", nothing is sent twice."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from appointments.models import OutboxMessage, OutboxStatus
from wiesbaden_abh.celery import app

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
ROWS = 40


class SlowSink:
    """An SMTP server that takes 0.3 s per mail, so a sweep of 40 rows lasts ~12 s."""

    def __init__(self):
        self.message_ids = []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.3)
        for line in envelope.content.decode().splitlines():
            if line.lower().startswith("message-id:"):
                self.message_ids.append(line.split(":", 1)[1].strip())
        return "250 OK"


def _database_url():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("pool", ["solo", "prefork"])
def test_a_worker_stopped_with_sigterm_finishes_its_mail_and_leaves_the_rest_pending(
    tmp_path, free_tcp_port, pool
):
    free_port = free_tcp_port
    sink = SlowSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port)
    controller.start()
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            kind="reminder",
            idempotency_key=f"shutdown-{n}",
            recipient=f"person{n}@example.test",
            language="de",
            subject="Erinnerung",
            text_body="Ihr Termin",
        )
        for n in range(ROWS)
    )
    queue = f"shutdown-{uuid.uuid4().hex[:8]}"
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{free_port}",
    }
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "wiesbaden_abh", "worker", "--pool", pool,
             "--concurrency", "2", "-Q", queue, "--loglevel=INFO", "--without-heartbeat",
             "--without-gossip", "--without-mingle", "-n", f"{queue}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        assert _wait_for(lambda: "ready." in log_path.read_text(), 30), log_path.read_text()
        app.send_task("appointments.tasks.sweep_outbox", queue=queue)
        assert _wait_for(lambda: len(sink.message_ids) >= 3, 30), log_path.read_text()
        worker.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        worker.wait(timeout=30)
        took = time.monotonic() - stopped_at
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        controller.stop()

    statuses = dict.fromkeys(OutboxStatus.values, 0)
    for status in OutboxMessage.objects.values_list("status", flat=True):
        statuses[status] += 1
    assert worker.returncode == 0, log_path.read_text()
    assert took < 5, took  # it did not send the other ~35 mails (0.3 s each) first
    assert statuses[OutboxStatus.SENDING] == 0
    assert statuses[OutboxStatus.SENT] == len(sink.message_ids) == len(set(sink.message_ids))
    assert statuses[OutboxStatus.PENDING] == ROWS - statuses[OutboxStatus.SENT] > 20
    assert "the worker is shutting down" in log_path.read_text()
