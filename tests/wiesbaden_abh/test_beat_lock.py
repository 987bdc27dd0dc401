"""Exactly one scheduler: two real `celery beat` processes against Redis; one sends, one waits;
when the sender is killed the waiting one takes over."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings

from wiesbaden_abh.beat import LAST_RUN_KEY, LOCK_KEY

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parents[2]


def _start_beat(tmp_path, name, queue):
    log = open(tmp_path / f"{name}.log", "w+")  # noqa: SIM115 - closed by the test
    env = {**os.environ, "REDIS_URL": settings.REDIS_URL, "BEAT_PROBE_QUEUE": queue}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tests.wiesbaden_abh.beat_probe_app", "beat",
         "--loglevel=INFO", "--schedule", str(tmp_path / f"{name}-schedule")],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    return process, log


def _wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _sends(log):
    log.flush()
    return Path(log.name).read_text().count("Sending due task probe")


def _stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_second_beat_waits_sends_nothing_and_takes_over_when_the_first_dies(tmp_path):
    client = redis.Redis.from_url(settings.REDIS_URL)
    queue = f"beat-probe-{uuid.uuid4().hex[:8]}"
    client.delete(LOCK_KEY)
    first, first_log = _start_beat(tmp_path, "first", queue)
    second = None
    try:
        assert _wait_for(lambda: _sends(first_log) >= 1, 20), Path(first_log.name).read_text()
        second, second_log = _start_beat(tmp_path, "second", queue)
        assert _wait_for(lambda: "waits" in Path(second_log.name).read_text(), 20)

        # Both run for a while: one send per one-second tick, all from the first beat.
        start_sends, start_queue = _sends(first_log), client.llen(queue)
        started = time.monotonic()
        time.sleep(5)
        elapsed = time.monotonic() - started
        sent = client.llen(queue) - start_queue
        assert _sends(second_log) == 0
        assert 2 <= sent <= elapsed + 1, (sent, elapsed)
        assert _sends(first_log) - start_sends == sent

        # The sender dies without releasing; the lease (3 s) runs out and the second sends.
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_at_queue = client.llen(queue)
        assert _wait_for(lambda: _sends(second_log) >= 2, 15), Path(second_log.name).read_text()
        assert "holds the scheduler lock" in Path(second_log.name).read_text()
        # No burst of catch-up sends at the take-over: it followed the schedule while waiting.
        assert client.llen(queue) - killed_at_queue <= 3
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
        client.delete(queue, LOCK_KEY, LAST_RUN_KEY)
