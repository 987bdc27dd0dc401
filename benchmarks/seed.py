"""The benchmark's data in the application's database, and its checks afterwards.

    DATABASE_URL=… REDIS_URL=… python benchmarks/seed.py seed --rounds 3   → JSON on stdout
    DATABASE_URL=… REDIS_URL=… python benchmarks/seed.py check             → JSON on stdout

`seed`: one service and one team open every day 08:00–16:00 in 15-minute slots (8 internal and
2 online places), slots for nine days; on each rush day (one per round, from the day after
tomorrow) the online places are cut to 56 over the 32 slots; 200 residents checked in today for
the queue board; a caseworker with a session and a wizard session. It also prints the EXPLAIN
of the caseworker's `team_day` query. `check`: the invariants after the rushes.
"""

import datetime as dt
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesbaden_abh.settings")

RUSH_SLOTS, RUSH_PLACES, WAITING = 32, 56, 200


def _session(data):
    from django.conf import settings
    from django.contrib.sessions.backends.base import SessionBase
    from django.utils.module_loading import import_string

    store: SessionBase = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    for key, value in data.items():
        store[key] = value
    store.create()
    return store.session_key


def seed(rounds):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from appointments import booking, selectors
    from appointments.models import Channel, Contingent, OpeningRule, Slot
    from appointments.queue.arrival import check_in
    from appointments.views import wizard
    from caseworkers.roles import CASEWORKER
    from tests.factories import open_office, person, staff

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    office = open_office(
        split=(),
        internal=8,
        online=2,
        days=9,
        weekdays=range(7),
        start="08:00",
        end="16:00",
        slot_minutes=15,
    )
    service, team = office.service, office.team
    service.booking_window_min_days = 1
    service.save(update_fields=["booking_window_min_days"])
    rush_days = [today + dt.timedelta(days=2 + n) for n in range(rounds)]
    for day in rush_days:
        slots = list(
            Slot.objects.filter(
                team=team,
                contingent=Contingent.ONLINE,
                start__gte=_start(day),
                start__lt=_start(day + dt.timedelta(days=1)),
            ).order_by("start")
        )
        assert len(slots) == RUSH_SLOTS, (day, len(slots))
        singles = {s.pk for s in slots[: 2 * RUSH_SLOTS - RUSH_PLACES]}
        Slot.objects.filter(pk__in=singles).update(capacity=1)
    morning = _start(today)
    # Today's slots may lie in the past already (never generated): made here, 8 places each.
    rule = OpeningRule.objects.get(team=team, weekday=today.weekday())
    internal = [
        Slot.objects.get_or_create(
            rule=rule,
            team=team,
            start=morning + dt.timedelta(hours=8, minutes=15 * n),
            contingent=Contingent.INTERNAL,
            defaults={
                "end": morning + dt.timedelta(hours=8, minutes=15 * n + 15),
                "capacity": 8,
            },
        )[0]
        for n in range(RUSH_SLOTS)
    ]
    places = [slot for slot in internal for _place in range(slot.capacity - slot.booked)]
    for n in range(WAITING):
        slot = places[n]
        made, _token = booking.book(
            service=service,
            slot_id=slot.pk,
            person=person(10_000 + n),
            channel=Channel.STAFF,
            now=morning - dt.timedelta(hours=2),
        )
        check_in(appointment_id=made.pk, accept_late=True, now=slot.start)
    user = staff(CASEWORKER, username="bench-caseworker")
    staff_session = _session(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )
    draft = {
        "service": service.slug,
        "surname": "Bench",
        "surname_latin": "",
        "nationality": "",
        "team": team.pk,
        "persons": 1,
    }
    # At 200 rows a sequential scan is cheapest anyway: with it disabled the plan shows
    # whether an index could serve the query at all (at a full day's size).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SET enable_seqscan = off")
        plan = selectors.team_day(team).explain()
        cursor.execute("RESET enable_seqscan")
    return {
        "service": service.slug,
        "team": team.pk,
        "week": [str(today + dt.timedelta(days=1)), str(today + dt.timedelta(days=7))],
        "time_day": str(today + dt.timedelta(days=5)),
        "rush": [_rush_slots(team, day) for day in rush_days],
        "staff_session": staff_session,
        "wizard_session": _session({wizard.DRAFT: draft}),
        "team_day_plan": plan,
    }


def _start(day):
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(0)))


def _rush_slots(team, day):
    from appointments.models import Contingent, Slot

    return list(
        Slot.objects.filter(
            team=team,
            contingent=Contingent.ONLINE,
            start__gte=_start(day),
            start__lt=_start(day + dt.timedelta(days=1)),
        )
        .order_by("start")
        .values_list("pk", flat=True)
    )


def check():
    """0 overbooked slots and booked == place holders + delayed releases on every slot."""
    from django.db.models import F

    from appointments import booking
    from appointments.models import Appointment, Slot, Status

    overbooked = Slot.objects.filter(booked__gt=F("capacity")).count()
    mismatched = sum(
        1
        for slot in Slot.objects.filter(booked__gt=0).iterator()
        if slot.booked != booking.place_holders(slot)
    )
    held = Appointment.objects.filter(status=Status.HELD).count()
    return {"overbooked": overbooked, "mismatched": mismatched, "held": held}


def main():
    import argparse

    import django

    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["seed", "check"])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    django.setup()
    result = seed(args.rounds) if args.action == "seed" else check()
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
