"""Web instances drain: gunicorn with the project's gunicorn.conf.py, stopped with SIGTERM while
a request is in flight, answers it in full, then exits; compose waits longer than it drains."""

import http.client
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _conf():
    values = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), values)
    return values


def test_a_request_in_flight_is_answered_after_sigterm(tmp_path, free_tcp_port):
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "2",
             "--bind", f"127.0.0.1:{free_tcp_port}", "tests.wiesbaden_abh.slow_wsgi:application"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while "Booting worker" not in log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        answers = []

        def request():
            connection = http.client.HTTPConnection("127.0.0.1", free_tcp_port, timeout=15)
            connection.request("GET", "/slow")
            response = connection.getresponse()
            answers.append((response.status, response.read()))

        client = threading.Thread(target=request)
        client.start()
        time.sleep(0.7)  # the request is now being served
        server.send_signal(signal.SIGTERM)
        client.join(timeout=20)
        assert server.wait(timeout=20) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert answers == [(200, b"finished")], log_path.read_text()


def test_compose_waits_longer_than_gunicorn_drains():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    grace = compose["services"]["web"]["stop_grace_period"]
    assert grace.endswith("s")
    assert int(grace[:-1]) > _conf()["graceful_timeout"] >= 10
