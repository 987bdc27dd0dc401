"""Benchmark of the statistics at scale: loads 1,000,000 appointments into PostgreSQL (COPY),
times the full rebuild of the daily figures and the supervisor's overview page, prints both.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/abh_bench \\
        .venv/bin/python benchmarks/statistics_benchmark.py

The database is created and migrated when missing; the data is loaded once and reused by later
runs (--reload loads it again). Never point it at a database whose data you want to keep.
"""

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesbaden_abh.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

TEAMS = 6
SERVICES = 5
SLOT_MINUTES = 15
DAY_START, DAY_END = 8, 16  # 32 slots a day per team and contingent
CAPACITY = 6  # per slot and contingent
EMAIL_DOMAIN = "bench.invalid"
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--appointments", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=730, help="history length (default 2 years)")
    parser.add_argument("--runs", type=int, default=9, help="timed requests per page")
    parser.add_argument("--reload", action="store_true", help="delete and load the data again")
    return parser.parse_args()


def ensure_database():
    """Create the PostgreSQL database of DATABASE_URL when it does not exist yet."""
    import psycopg2

    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://…/abh_bench: the benchmark runs on PostgreSQL only.")
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}.")
    connection.close()


def code(n):
    """The n-th booking code: unique, eight characters of the booking alphabet."""
    chars = []
    for _ in range(7):
        n, rest = divmod(n, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[rest])
    return "Z" + "".join(reversed(chars))


def ts(value):
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S+00") if value else r"\N"


class Copy:
    """Rows for one table, written with COPY in chunks (text format, \\N for NULL)."""

    def __init__(self, model, columns, cursor, chunk=100_000):
        self.table, self.columns, self.cursor, self.chunk = (
            model._meta.db_table,
            columns,
            cursor,
            chunk,
        )
        self.buffer, self.count = io.StringIO(), 0

    def add(self, values):
        self.buffer.write("\t".join(str(v) for v in values) + "\n")
        self.count += 1
        if self.count % self.chunk == 0:
            self.flush()

    def flush(self):
        self.buffer.seek(0)
        columns = ", ".join(f'"{c}"' for c in self.columns)
        self.cursor.copy_expert(f'COPY "{self.table}" ({columns}) FROM STDIN', self.buffer)
        self.buffer = io.StringIO()


APPOINTMENT_COLUMNS = [
    "id", "slot_id", "service_id", "case_id", "channel", "status", "priority", "surname",
    "given_names", "date_of_birth", "email", "phone", "nationality", "language",
    "interpreter_needed", "interpreter_language", "surname_key", "email_key", "code",
    "token_hash", "cancellation_reason", "held_at", "booked_at", "checked_in_at", "called_at",
    "first_called_at", "in_service_at", "completed_at", "cancelled_at", "no_show_at",
    "queue_team_id", "waiting_number", "arrived_late", "call_count", "outcome",
    "internal_note", "attendance_confirmed_at", "created_at", "surname_latin",
    "needs_wheelchair", "needs_sign_language", "needs_companion", "needs_note", "given_names_key",
]  # fmt: skip
CREATED = APPOINTMENT_COLUMNS.index("created_at")
SHOW_UP = {"online": 0.78, "invitation": 0.9, "staff": 0.86, "follow_up": 0.9}


def appointment_row(n, slot_id, start, team_id, service_id, channel, rng, *, future=False):
    """One appointment with a realistic fate (coming ones are booked); returns the row, whether
    it holds its place and when it was completed."""
    lead = {"online": 14, "invitation": 30, "staff": 5, "follow_up": 21}[channel]
    booked_at = start - dt.timedelta(days=rng.randint(0, lead), hours=rng.randint(1, 9))
    confirmed = rng.random() < 0.3
    fate = rng.random()
    times = dict.fromkeys(
        ("checked_in", "called", "in_service", "completed", "cancelled", "no_show"), None
    )
    status, reason, outcome = "completed", "", ""
    if future:
        status, confirmed = "booked", False
    elif fate < 0.07:
        status, reason = "cancelled", "resident"
        times["cancelled"] = max(booked_at, start - dt.timedelta(hours=rng.randint(1, 96)))
    elif fate > 0.07 + 0.93 * (0.96 if confirmed else SHOW_UP[channel]):
        status = "no_show"
        times["no_show"] = start + dt.timedelta(hours=2, minutes=20)
    else:
        times["checked_in"] = start - dt.timedelta(minutes=rng.randint(-10, 15))
        times["called"] = times["checked_in"] + dt.timedelta(minutes=rng.randint(1, 40))
        times["in_service"] = times["called"] + dt.timedelta(minutes=1)
        times["completed"] = times["in_service"] + dt.timedelta(minutes=rng.randint(8, 40))
        outcome = "other"
    row = (
        n, slot_id, service_id, n, channel, status, 0, "Bench", "Erika", "1990-01-01",
        f"b{n}@{EMAIL_DOMAIN}", "", "TR", "de", "f", "", "bench", f"b{n}@{EMAIL_DOMAIN}",
        code(n), "0" * 64, reason, ts(booked_at), ts(booked_at), ts(times["checked_in"]),
        ts(times["called"]), ts(times["called"]), ts(times["in_service"]),
        ts(times["completed"]), ts(times["cancelled"]), ts(times["no_show"]),
        team_id if times["checked_in"] else r"\N", "", "f",
        1 if times["called"] else 0, outcome, "",
        ts(start - dt.timedelta(hours=30)) if confirmed else r"\N", ts(booked_at),
        "", "f", "f", "f", "", "erika",
    )  # fmt: skip
    return row, status != "cancelled", times["completed"]


def load(target, days):
    """COPY teams' slots, cases and `target` appointments over the past `days` days."""
    from django.db import connection
    from django.utils import timezone

    from appointments.availability import local_datetime, public_holiday
    from appointments.models import Appointment, Case, Service, Slot, Team

    teams = [
        Team.objects.get_or_create(name=f"Bench team {n}", defaults={"waiting_prefix": f"Q{n}"})[0]
        for n in range(TEAMS)
    ]
    services = [
        Service.objects.get_or_create(slug=f"bench-{n}", defaults={"name": f"Bench service {n}"})[0]
        for n in range(SERVICES)
    ]
    today = timezone.localdate()
    first = today - dt.timedelta(days=days)
    history = [
        first + dt.timedelta(days=n)
        for n in range(days)
        if (first + dt.timedelta(days=n)).weekday() < 5
        and not public_holiday(first + dt.timedelta(days=n))
    ]
    future = [d for d in (today + dt.timedelta(days=n) for n in range(0, 21)) if d.weekday() < 5]
    places = len(history) * TEAMS * (DAY_END - DAY_START) * 60 // SLOT_MINUTES * 2 * CAPACITY
    fill = min(1.0, target / places * 1.02)
    rng = random.Random(2014)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        slots = Copy(
            Slot,
            ["id", "team_id", "start", "end", "contingent", "capacity", "booked", "closed"],
            raw,
        )
        cases = Copy(Case, ["id", "service_id", "created_at", "completed_at"], raw)
        appointments = Copy(Appointment, APPOINTMENT_COLUMNS, raw)
        slot_id = n = 0
        for day in [*history, *future]:
            past = day < today
            for team in teams:
                start = local_datetime(day, dt.time(DAY_START))
                while start < local_datetime(day, dt.time(DAY_END)):
                    for contingent in ("online", "internal"):
                        slot_id += 1
                        held = 0
                        for _place in range(CAPACITY):
                            if (n >= target and past) or rng.random() >= (fill if past else 0.4):
                                continue
                            if contingent == "online":
                                channel = "online"
                            else:
                                channel = rng.choice(["invitation", "staff", "follow_up"])
                            n += 1
                            service_id = services[n % SERVICES].pk
                            row, holds, completed = appointment_row(
                                n,
                                slot_id,
                                start,
                                team.pk,
                                service_id,
                                channel,
                                rng,
                                future=not past,
                            )
                            appointments.add(row)
                            case_done = completed if completed and rng.random() < 0.6 else None
                            cases.add((n, service_id, row[CREATED], ts(case_done)))
                            held += holds
                        slots.add(
                            (
                                slot_id, team.pk, ts(start),
                                ts(start + dt.timedelta(minutes=SLOT_MINUTES)), contingent,
                                CAPACITY, held, "f",
                            )
                        )  # fmt: skip
                    start += dt.timedelta(minutes=SLOT_MINUTES)
        slots.flush()
        cases.flush()
        appointments.flush()
        for model in (Slot, Case, Appointment):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")
    return n, slot_id


def main():
    args = parse_args()
    ensure_database()
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from appointments import statistics as stats
    from appointments.models import (
        Appointment,
        Case,
        CaseFigure,
        DailyCapacity,
        DailyFigure,
        HourlyFigure,
        Slot,
        StatisticsDay,
    )

    call_command("migrate", verbosity=0)
    if not settings.DEBUG and not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        # Production settings render pages with the hashed names of the static manifest.
        call_command("collectstatic", interactive=False, verbosity=0)
    existing = Appointment.objects.filter(email_key__endswith=f"@{EMAIL_DOMAIN}").count()
    if args.reload or existing < args.appointments:
        with connection.cursor() as cursor:
            for model in (
                DailyFigure, HourlyFigure, DailyCapacity, CaseFigure, StatisticsDay, Appointment,
                Case, Slot,
            ):  # fmt: skip
                cursor.execute(f'TRUNCATE "{model._meta.db_table}" CASCADE')
        started = time.perf_counter()
        with transaction.atomic():  # foreign keys are checked at the commit
            loaded, slots = load(args.appointments, args.days)
        print(
            f"Loaded {loaded:,} appointments in {slots:,} slots by COPY "
            f"in {time.perf_counter() - started:.1f} s."
        )
    first_day = timezone.localdate(
        Slot.objects.order_by("start").values_list("start", flat=True)[0]
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    past = Appointment.objects.filter(slot__start__lt=timezone.now()).count()
    print(
        f"Appointments: {Appointment.objects.count():,} ({past:,} in the past), from {first_day}."
    )

    timings = []
    for run in (1, 2):
        started = time.perf_counter()
        result = stats.rebuild(date_from=first_day, date_to=yesterday)
        timings.append(time.perf_counter() - started)
        print(
            f"Full rebuild #{run}: {len(result.days)} days, {result.figures:,} daily figure rows, "
            f"{timings[-1]:.1f} s"
        )
    started = time.perf_counter()
    nightly = stats.rebuild_nightly()
    print(f"Nightly rebuild ({len(nightly['days'])} day(s)): {time.perf_counter() - started:.2f} s")

    user, _ = get_user_model().objects.get_or_create(username="bench-supervisor")
    user.groups.add(Group.objects.get(name="supervisor"))
    # With DEBUG off "testserver" is no allowed host and plain HTTP is redirected: ask as
    # the first allowed host, over HTTPS.
    host = next((h for h in settings.ALLOWED_HOSTS if "*" not in h), "localhost").lstrip(".")
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    results = {}
    for name, url in (
        ("overview", "/backoffice/reports/"),
        ("breakdowns (90 days)", "/backoffice/reports/breakdowns/"),
        ("breakdowns (2 years)", f"/backoffice/reports/breakdowns/?date_from={first_day}"),
        ("forecast", "/backoffice/reports/forecast/"),
    ):
        for _warm in range(2):
            assert client.get(url, secure=True).status_code == 200, url
        runs = []
        for _run in range(args.runs):
            started = time.perf_counter()
            response = client.get(url, secure=True)
            runs.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        results[name] = runs
        print(
            f"{name:<22} median {statistics.median(runs):6.1f} ms "
            f"(min {min(runs):.1f}, max {max(runs):.1f}, {args.runs} runs)"
        )
    overview = statistics.median(results["overview"])
    print()
    print(f"Target: rebuild < 30 s → {min(timings):.1f} s; overview < 200 ms → {overview:.0f} ms")


if __name__ == "__main__":
    main()
