"""Servers and load for the benchmark: gunicorn in its own process group, `wrk` for GETs and a
thread rush for POSTs. Loopback only; every wait is bounded in count and time."""

import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from benchmarks.harness import parse_wrk

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


_GIVEN = set()  # ports handed out in this run: gunicorn may not have bound them yet


def free_port():
    """Any free loopback port, or the first free one of BENCH_PORTS (`8600-8649`) when set, so
    runs that share a machine stay in their own range."""
    first, _, last = os.environ.get("BENCH_PORTS", "0-0").partition("-")
    for port in range(int(first), int(last or first) + 1):
        if port in _GIVEN:
            continue
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            port = s.getsockname()[1]
            if port:
                _GIVEN.add(port)
            return port
    raise OSError(f"no free port in BENCH_PORTS={os.environ['BENCH_PORTS']}")


class Server:
    """gunicorn with 2 sync workers on a free loopback port, stopped with its process group."""

    def __init__(self, app, env, log_path, *, workers=2):
        self.port = free_port()
        self.log = open(log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                app,
                f"--bind={HOST}:{self.port}",
                f"--workers={workers}",
                "--worker-class=sync",
                "--access-logfile=/dev/null",
                "--timeout=60",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, path, *, headers=None, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early (log: {self.log.name})")
            try:
                status, _ = request(self.port, "GET", path, headers=headers, timeout=5)
                if status < 500:
                    return status
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn not ready on {path} within {seconds} s")

    def stop(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
            except ProcessLookupError:
                pass
        self.log.close()


def request(port, method, path, *, body=None, headers=None, timeout=10):
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        if 300 <= response.status < 400:
            body = response.getheader("Location", "").encode()
        return response.status, body
    finally:
        connection.close()


def wrk(port, path, *, seconds, connections=8, cookie=None, headers=None, expect=200):
    """Load one URL with wrk (2 threads) and return its parsed figures, plus the body size;
    `headers` are sent with every request, and the first answer must have status `expect`."""
    command = ["wrk", "--latency", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout=10s"]
    headers = {**({"Cookie": cookie} if cookie else {}), **(headers or {})}
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    status, body = request(port, "GET", path, headers=headers)
    if status != expect:
        raise RuntimeError(f"GET {path} answered {status} before the load: {body[:300]!r}")
    done = subprocess.run(
        [*command, f"http://{HOST}:{port}{path}"],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    )
    figures = parse_wrk(done.stdout)
    figures["bytes"] = len(body)
    return figures


def rush(port, path, bodies, *, timeout=60):
    """POST every body at once (one thread and connection each, released by one barrier):
    returns elapsed seconds, the status counts and the slowest answer in seconds."""
    barrier = threading.Barrier(len(bodies) + 1, timeout=timeout)
    results = [None] * len(bodies)

    def client(index, body):
        connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
        try:
            connection.connect()
            barrier.wait()
            started = time.perf_counter()
            connection.request(
                "POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            response.read()
            results[index] = (response.status, time.perf_counter() - started)
        except (OSError, threading.BrokenBarrierError) as error:
            results[index] = (type(error).__name__, None)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=client, args=(n, body), daemon=True)
        for n, body in enumerate(bodies)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=timeout)
    elapsed = time.perf_counter() - started
    counts = {}
    for status, _seconds in filter(None, results):
        counts[status] = counts.get(status, 0) + 1
    slowest = max((s for _status, s in filter(None, results) if s is not None), default=None)
    return {"seconds": elapsed, "counts": counts, "slowest": slowest}
