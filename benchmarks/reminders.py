"""Reminder delivery: N due reminders through one Celery worker into an aiosmtpd sink (in a
process of its own, as a mail server is), against plain smtplib (one connection per mail) into
the same sink; prints JSON.

    DATABASE_URL=… REDIS_URL=… python benchmarks/reminders.py --count 1000

The database is migrated and filled (its name must contain "bench"); the Redis db is flushed.
"""

import argparse
import datetime as dt
import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesbaden_abh.settings")


class Sink:
    """Writes a line per recipient of every mail it accepts (to see losses and doubles)."""

    def __init__(self, path):
        self.file = open(path, "a", buffering=1)  # noqa: SIM115 (open while the sink runs)

    async def handle_DATA(self, server, session, envelope):
        self.file.write("".join(f"{rcpt}\n" for rcpt in envelope.rcpt_tos))
        return "250 OK"


def serve_sink(port, path):
    """The SMTP sink in a process of its own, as a real mail server is: in the benchmark's
    process it would compete for the interpreter with the writing of the reminders."""
    from aiosmtpd.controller import Controller

    stopping = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stopping)  # the server's thread inherits the mask
    controller = Controller(Sink(path), hostname="127.0.0.1", port=port)
    controller.start()
    signal.sigwait(stopping)
    controller.stop()


class SinkProcess:
    """`recipients()`: what the sink process has accepted so far; `clear()`, `stop()`."""

    def __init__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.path = Path(tempfile.gettempdir()) / f"bench-reminders-sink-{self.port}.txt"
        self.path.write_text("")
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--sink", str(self.port), str(self.path)],
            cwd=ROOT, start_new_session=True,
        )  # fmt: skip
        if not wait_for(self._listening, 30):
            raise RuntimeError("the SMTP sink did not start")

    def _listening(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return False
        return True

    def recipients(self):
        return self.path.read_text().split()

    def clear(self):
        self.path.write_text("")

    def stop(self):
        stop(self.process)
        self.path.unlink(missing_ok=True)


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def fill(count):
    """`count` booked appointments tomorrow with an e-mail address, written in bulk as the
    invitations write theirs (the places taken by the guarded bulk UPDATE): booking them one by
    one took longer than sending 10,000 reminders. No confirmation mail is written, so only
    reminders go out."""
    from collections import Counter

    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Q
    from django.utils import timezone

    from appointments.appointment_rows import create_appointments
    from appointments.models import Channel, Contingent, Slot
    from appointments.places import take_places
    from tests.factories import open_office, person

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    per_slot = max(20, -(-count // 30))  # the reminder window holds 32 slots or more
    office = open_office(split=(), internal=per_slot, online=0, days=3, weekdays=range(7),
                         start="08:00", end="16:00", slot_minutes=15)  # fmt: skip
    now = timezone.now()
    slots = Slot.objects.filter(
        team=office.team, start__gt=now + dt.timedelta(hours=6),
        start__lt=now + dt.timedelta(hours=40), capacity__gt=0,
    ).order_by("start")  # fmt: skip
    places = [(slot, office.service) for slot in slots for _place in range(slot.capacity)]
    assert len(places) >= count, f"only {len(places)} places within the reminder lead"
    places = [(slot, service, person(n)) for n, (slot, service) in enumerate(places[:count])]
    with transaction.atomic():
        wanted = Counter(slot.pk for slot, _service, _person in places)
        taken = take_places(wanted, [Contingent.INTERNAL], Q())
        assert taken == wanted, "the bench office's places were not free"
        create_appointments(places=places, channel=Channel.STAFF, now=now)


def rss_mb(pid):
    """The resident memory of process `pid` in MB (Linux), None once it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class PeakMemory:
    """Samples a process's resident memory every 0.1 s in a thread; `peak` in MB."""

    def __init__(self, pid):
        import threading

        self.pid, self.peak = pid, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self):
        # time.sleep, not Event.wait(0.1): under libfaketime (CI's shifted clock) a timed wait
        # on a condition did not wake up, so only the first sample was ever taken.
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pid) or 0.0)
            time.sleep(0.1)

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=5)
        return self.peak


def worker(env, log):
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "-A", "wiesbaden_abh", "worker", "--pool=solo",
         "--concurrency=1", "--loglevel=INFO", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def plain_smtplib(port, count):
    """The reference: the same number of mails, one SMTP connection each."""
    started = time.perf_counter()
    for n in range(count):
        message = EmailMessage()
        message["From"], message["To"] = "termine@example.test", f"ref{n}@example.test"
        message["Subject"] = "Erinnerung an Ihren Termin"
        message.set_content("Ihr Termin ist morgen um 10:00 Uhr.\n" * 20)
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.send_message(message)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--timeout", type=int, default=240)
    parser.add_argument("--sink", nargs=2, metavar=("PORT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        return serve_sink(int(args.sink[0]), args.sink[1])
    sink = SinkProcess()
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{sink.port}"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    import django
    import redis

    django.setup()
    from django.conf import settings

    from appointments.notifications import reminders

    if "bench" not in str(settings.DATABASES["default"]["NAME"]):
        sys.exit("refusing: the database name must contain 'bench'")
    fill(args.count)
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # our db number only
    log = open(Path(tempfile.gettempdir()) / "bench-reminders-worker.log", "wb")  # noqa: SIM115
    process = worker(dict(os.environ), log)
    try:
        if not wait_for(lambda: b"ready" in Path(log.name).read_bytes(), 60):
            raise RuntimeError(f"worker not ready (log: {log.name})")
        memory = PeakMemory(process.pid)  # the solo pool: the worker is this one process
        started = time.perf_counter()
        written = reminders.schedule_reminders()
        scheduled = time.perf_counter() - started
        done = wait_for(lambda: len(sink.recipients()) >= written, args.timeout)
        seconds = time.perf_counter() - started
        time.sleep(1)  # doubles would arrive now
        peak_mb = memory.stop()
        arrived = sink.recipients()
        delivered, unique = len(arrived), len(set(arrived))
        sink.clear()
        reference_seconds = plain_smtplib(sink.port, args.count)
    finally:
        stop(process)
        log.close()
        sink.stop()
    json.dump(
        {
            "count": written,
            "complete": done,
            "seconds": seconds,
            "scheduling_seconds": scheduled,
            "rate": unique / seconds,
            "lost": written - unique,
            "doubled": delivered - unique,
            "reference_rate": args.count / reference_seconds,
            "worker_peak_mb": peak_mb,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
