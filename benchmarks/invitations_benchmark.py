"""How long do check, import, allocation (and sending) of N invitees take?

    createdb -h 127.0.0.1 -U postgres wiesbaden_abh_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wiesbaden_abh_bench \
        .venv/bin/python benchmarks/invitations_benchmark.py --count 10000 [--send] [--profile]

The database is flushed first: its name must contain "bench". Four teams share A–Z, each
open on weekdays 08:00–16:00 in 15-minute slots with 4 internal and 2 online places; the
invitees' permits expire 7 to 15 weeks ahead.
"""

import argparse
import cProfile
import datetime as dt
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesbaden_abh.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("EMAIL_URL", "dummymail://")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Count, F, Q, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from appointments.invitations import allocation, csv_import, sending  # noqa: E402
from appointments.models import (  # noqa: E402
    PLACE_HOLDING_STATUSES,
    Invitation,
    OpeningRule,
    ResponsibilityRule,
    Service,
    Slot,
    Team,
)

RANGES = [("A", "E"), ("F", "K"), ("L", "R"), ("S", "Z")]
SURNAMES = {
    "A": "Aydin",
    "B": "Bianchi",
    "C": "Celik",
    "D": "Demir",
    "E": "Eze",
    "F": "Fischer",
    "G": "Gupta",
    "H": "Haddad",
    "I": "Ivanov",
    "J": "Jafari",
    "K": "Kaya",
    "L": "Le",
    "M": "Melnyk",
    "N": "Nowak",
    "O": "Okafor",
    "P": "Patel",
    "Q": "Qureshi",
    "R": "Rahimi",
    "S": "Silva",
    "T": "Tran",
    "U": "Usman",
    "V": "Volkov",
    "W": "Wang",
    "X": "Xu",
    "Y": "Yilmaz",
    "Z": "Zhang",
}


def office():
    service = Service.objects.create(
        slug="verlaengerung",
        name="Verlängerung",
        documents=[{"de": "Reisepass"}],
        duration_minutes=15,
    )
    for n, (first, last) in enumerate(RANGES):
        team = Team.objects.create(name=f"Team {first}–{last}", waiting_prefix="ABCD"[n])
        ResponsibilityRule.objects.create(
            service=service, team=team, letter_from=first, letter_to=last
        )
        for weekday in range(5):
            rule = OpeningRule.objects.create(
                team=team,
                weekday=weekday,
                start_time=dt.time(8),
                end_time=dt.time(16),
                slot_minutes=15,
                capacity=6,
                online_capacity=2,
                valid_from=dt.date(2020, 1, 1),
            )
            rule.services.add(service)
    return service


def given_name(n):
    """A distinct given name per invitee, letters only (the name policy refuses digits)."""
    letters = "".join("abcdefghijklmnopqrstuvwxyz"[int(d)] for d in f"{n:05d}")
    return "Ana" + letters


def csv_file(count, today):
    letters = sorted(SURNAMES)
    lines = [
        "Aktenzeichen;Nachname;Vorname;Geburtsdatum;Staatsangehörigkeit;E-Mail;Anschrift;"
        "Sprache;Aufenthaltstitel;Ablaufdatum;Anliegen"
    ]
    for n in range(count):
        expiry = today + dt.timedelta(days=49 + n % 56)
        email = "" if n % 6 == 0 else f"p{n}@example.test"
        born = dt.date(1950, 1, 1) + dt.timedelta(days=n)  # distinct people, also without e-mail
        lines.append(
            f"B-{n:06d};{SURNAMES[letters[n % 26]]};{given_name(n)};{born:%d.%m.%Y};TR;"
            f"{email};Straße {n}|65185 Wiesbaden;de;§ 16b;{expiry:%d.%m.%Y};verlaengerung"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def timed(label, function, profile=False, summary=None):
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    result = function()
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    print(f"{label:<12} {seconds:8.1f} s   {summary(result) if summary else result}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return result, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--send", action="store_true", help="also send (e-mails to a dummy)")
    parser.add_argument("--profile", action="store_true", help="profile the allocation")
    args = parser.parse_args()
    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in str(name):
        sys.exit(f"refusing to flush {name!r}: use a database whose name contains 'bench'")
    print(f"database: {settings.DATABASES['default']['ENGINE']} {name}")
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    office()
    now = timezone.now()
    timed("slots", lambda: allocation.generate_slots(days=110, now=now).created)
    data = csv_file(args.count, timezone.localdate(now))
    report, _ = timed("check", lambda: csv_import.check(data), summary=lambda r: len(r.new))
    batch, _ = timed(
        "import",
        lambda: csv_import.import_checked(report=report, source_name="bench.csv"),
    )
    _counts, seconds = timed(
        "allocate", lambda: allocation.allocate_batch(batch_id=batch.pk), profile=args.profile
    )
    print(f"             {args.count / seconds:8.0f} invitees/s")
    if args.send:
        timed("send", lambda: sending.send_batch(batch_id=batch.pk))
    over = Slot.objects.filter(booked__gt=F("capacity")).count()
    online = Slot.objects.filter(contingent="online").aggregate(n=Sum("booked"))["n"]
    allocated = Invitation.objects.exclude(appointment=None).count()
    holding = Q(appointments__status__in=PLACE_HOLDING_STATUSES)
    broken = (
        Slot.objects.annotate(
            holders=Count("appointments", filter=holding, distinct=True),
            releases=Count("delayed_releases", distinct=True),
        )
        .exclude(booked=F("holders") + F("releases"))
        .count()
    )
    print(
        f"check: overbooked slots {over}, slots with booked != holders + delayed releases "
        f"{broken}, online places taken {online}, allocated {allocated}"
    )


if __name__ == "__main__":
    main()
