#!/usr/bin/env python
"""`make cluster-test`: the service as several instances on one PostgreSQL database and Redis.

Starts two gunicorn instances (two ports), two Celery workers (one prefork `--concurrency 2`,
one solo), one beat and an SMTP sink (aiosmtpd, in this process), then checks:
  (a) 200 bookings raced over both instances onto 4 slots of 10 places: none overbooked, every
      slot's counter == its holders + delayed releases;
  (b) reminders for 2,000 appointments all arrive at the sink, none twice but at worst the
      one in flight when the solo worker is killed with -9 in the middle of the batch;
  (c) two caseworkers on different instances call "next" 50 times each: never the same person.
Prints its figures; exits 1 on any violation. Bounded (CLUSTER_TIMEOUT, default 240 s) and
stops everything it started, also on failure. Environment: CLUSTER_PG (server URL, default
postgres://postgres@127.0.0.1:5432), CLUSTER_DATABASE (default wt_cluster_run: dropped and
created anew), CLUSTER_REDIS_URL (default redis://127.0.0.1:6379/3: that database is emptied),
CLUSTER_PORTS (e.g. 8750-8799: the web instances and the sink listen only there; default any
free port).
"""

import collections
import contextlib
import http.client
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = os.environ.get("CLUSTER_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB = os.environ.get("CLUSTER_DATABASE", "wt_cluster_run")
REDIS = os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/3")
TIMEOUT = int(os.environ.get("CLUSTER_TIMEOUT", "240"))
PORTS = os.environ.get("CLUSTER_PORTS", "")
PY = sys.executable
RACERS, RACE_SLOTS, RACE_PLACES, REMINDERS, CALLS = 200, 4, 10, 2000, 50

violations = []
processes = []


def check(ok, what):
    print(f"  {'ok  ' if ok else 'FAIL'} {what}", flush=True)
    if not ok:
        violations.append(what)


handed_out = set()


def free_port():
    """A free loopback port: any, or the next free one of CLUSTER_PORTS (machines where each
    user of the host has its own range)."""
    first, _, last = PORTS.partition("-")
    candidates = range(int(first), int(last or first) + 1) if first else [0]
    for candidate in candidates:
        if candidate in handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port = sock.getsockname()[1]
        handed_out.add(port)
        return port
    sys.exit(f"no free port in CLUSTER_PORTS={PORTS}")


def wait_for(predicate, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def start(name, args, logdir):
    log = open(logdir / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    process.name, process.log = name, Path(log.name)
    processes.append(process)
    return process


def stop_all():
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        # a prefork worker's children are in its process group too
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


class Sink:
    """SMTP sink: counts each Message-ID it receives."""

    def __init__(self):
        self.counts = collections.Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        for line in envelope.content.decode(errors="replace").splitlines():
            if line.lower().startswith("message-id:"):
                with self.lock:
                    self.counts[line.split(":", 1)[1].strip()] += 1
                break
        return "250 OK"


def post(port, path, body, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(
        "POST", path, json.dumps(body), {"Content-Type": "application/json", **(headers or {})}
    )
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def race(count, worker):
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        barrier.wait(timeout=60)
        try:
            results[i] = worker(i)
        except OSError as error:
            results[i] = ("error", repr(error))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def letters(n):
    """A surname without digits (the name policy): 0 → Muster-Aa, 1 → Muster-Ab, ..."""
    return "Muster" + "".join(chr(ord("a") + int(d, 26)) for d in f"{n:03d}")


def prepare_database(env):
    admin = f"{PG}/postgres"
    for sql in (f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)', f'CREATE DATABASE "{DB}"'):
        subprocess.run(["psql", admin, "-q", "-c", sql], check=True, timeout=60)
    subprocess.run(
        [PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=180
    )


def main():
    if REDIS.rstrip("/").endswith("/0") or "/" not in REDIS.split("//", 1)[1]:
        sys.exit("CLUSTER_REDIS_URL must name a Redis database other than 0 (it is emptied)")
    began = time.monotonic()
    logdir = Path(tempfile.mkdtemp(prefix="cluster-test-"))
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    sink, smtp_port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB}",
        "REDIS_URL": REDIS,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "BOOKING_CHALLENGE": "off",
        "RATE_LIMITS": "off",
        "OUTBOX_STUCK_MINUTES": "1",
        "BEAT_LOCK_LEASE_SECONDS": "10",
        "DJANGO_SETTINGS_MODULE": "wiesbaden_abh.settings",
    }
    os.environ.update(env)
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    try:
        prepare_database(env)
        import django

        django.setup()
        from scripts import cluster_checks

        took = time.monotonic() - began
        print(f"[cluster] database {DB} migrated in {took:.1f}s; logs in {logdir}")
        world = cluster_checks.seed(racers=RACE_SLOTS, places=RACE_PLACES, reminders=REMINDERS,
                                    waiting=2 * CALLS)  # fmt: skip
        print(f"[cluster] seeded at {time.monotonic() - began:.1f}s")
        ports = [free_port(), free_port()]
        for n, port in enumerate(ports, 1):
            start(f"web{n}", [PY, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "2",
                              "--bind", f"127.0.0.1:{port}", "wiesbaden_abh.wsgi:application"],
                  logdir)  # fmt: skip
        celery = [PY, "-m", "celery", "-A", "wiesbaden_abh"]
        start("worker1", [*celery, "worker", "--concurrency", "2", "-n", "cluster1@%h",
                          "--loglevel=INFO"], logdir)  # fmt: skip
        solo = start("worker2", [*celery, "worker", "--pool", "solo", "-n", "cluster2@%h",
                                 "--loglevel=INFO"], logdir)  # fmt: skip
        start("beat", [*celery, "beat", "--loglevel=INFO", "--schedule",
                       str(logdir / "beat-schedule")], logdir)  # fmt: skip

        def up(port):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                return connection.getresponse().status == 200
            except OSError:
                return False

        def ready(process):
            return "ready." in process.log.read_text()

        ok = wait_for(lambda: all(up(p) for p in ports), 60) and wait_for(
            lambda: all(ready(p) for p in processes if p.name.startswith("worker")), 60
        )
        check(ok, "two web instances and two workers are up")
        if not ok:
            return 1
        print(f"[cluster] up at {time.monotonic() - began:.1f}s")

        # (a) bookings raced over both instances
        t0 = time.monotonic()

        def book(i):
            slot = world.race_slots[i % RACE_SLOTS]
            body = {"service": world.race_service, "slot": slot, "surname": letters(i),
                    "given_names": "Erika", "date_of_birth": "1990-01-01",
                    "email": f"race{i}@example.test", "language": "de"}  # fmt: skip
            return post(ports[i % 2], "/api/v1/bookings/", body)

        statuses = collections.Counter(r[0] for r in race(RACERS, book))
        took = time.monotonic() - t0
        print(f"[a] {RACERS} bookings in {took:.1f}s over 2 instances: {dict(statuses)}")
        figures = cluster_checks.slot_figures(world.race_slots)
        for slot_id, (capacity, booked, holders, delayed) in figures.items():
            print(f"    slot {slot_id}: capacity {capacity} booked {booked} holders {holders}"
                  f" delayed releases {delayed}")  # fmt: skip
            check(booked <= capacity, f"slot {slot_id} not overbooked")
            check(booked == holders + delayed, f"slot {slot_id}: booked == holders + delayed")
        check(statuses[201] == RACE_SLOTS * RACE_PLACES, "every place taken exactly once (201s)")
        check(statuses[409] == RACERS - RACE_SLOTS * RACE_PLACES, "the rest refused with 409")

        # (b) reminders, one worker killed with -9 in the middle
        t0 = time.monotonic()
        from wiesbaden_abh.celery import app

        app.send_task("appointments.tasks.schedule_reminders")

        def arrived():
            return cluster_checks.reminders_at(sink.counts)

        check(wait_for(lambda: arrived()[0] >= REMINDERS // 5, 90), "reminders are arriving")
        os.killpg(solo.pid, signal.SIGKILL)
        solo.wait()
        at_kill = arrived()[0]
        print(f"[b] worker2 killed with -9 after {at_kill} reminders "
              f"({time.monotonic() - t0:.1f}s)")  # fmt: skip

        # What beat does every 5 minutes and every minute: the killed worker may have been
        # writing the reminders (its task is lost) or holding deliveries (the rows stay due).
        app.send_task("appointments.tasks.schedule_reminders")

        def complete():
            app.send_task("appointments.tasks.sweep_outbox")
            return arrived()[0] >= REMINDERS and cluster_checks.reminders_pending() == 0

        wait_for(complete, max(20, TIMEOUT - (time.monotonic() - began) - 40), step=10)
        distinct, duplicates, rows = arrived()
        print(f"[b] {distinct} distinct reminders for {rows} rows in "
              f"{time.monotonic() - t0:.1f}s; duplicates {duplicates}")  # fmt: skip
        check(rows == REMINDERS, "one reminder row per appointment")
        check(distinct == REMINDERS, "every reminder arrived")
        # The one mail the killed worker was sending may have been accepted by the server
        # before the worker could mark it sent: it goes out again after OUTBOX_STUCK_MINUTES
        # (README, "Background work"). No SMTP client can close that window; what the batch
        # design must hold is that nothing else arrives twice.
        check(duplicates <= 1, "no reminder arrived twice but, at worst, the one in flight")

        # (c) two caseworkers on two instances call "next"
        t0 = time.monotonic()

        def call(i):
            who = world.callers[i]
            called = []
            for _ in range(CALLS):
                status, data = post(ports[i],
                                    f"/api/v1/staff/teams/{world.queue_team}/call-next/",
                                    {"counter": who["counter"]},
                                    {"Authorization": f"Token {who['key']}"})  # fmt: skip
                called.append(json.loads(data).get("id") if status == 200 else status)
            return called

        first, second = race(2, call)
        everyone = [*first, *second]
        print(f"[c] {len(everyone)} calls in {time.monotonic() - t0:.1f}s")
        check(all(isinstance(c, int) for c in everyone), f"every call succeeded {everyone[:5]}")
        check(len(set(everyone)) == len(everyone), "nobody was called twice")
        beat_log = next(p for p in processes if p.name == "beat").log.read_text()
        check("holds the scheduler lock" in beat_log, "the beat holds the scheduler lock")
    finally:
        stop_all()
        controller.stop()
        redis.Redis.from_url(REDIS).flushdb()
        print(f"[cluster] stopped everything after {time.monotonic() - began:.1f}s")
    if violations:
        print(f"[cluster] {len(violations)} violation(s): {violations}")
        return 1
    print("[cluster] all checks passed")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("cluster-test")))
    signal.alarm(TIMEOUT)
    sys.exit(main())
