"""The database side of scripts/cluster_test.py: seeding through the domain, and the figures it
checks (imported after django.setup())."""

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from appointments import background, booking, queue
from appointments.models import OutboxMessage, OutboxStatus, Slot
from caseworkers.models import ApiToken
from tests.factories import ServiceFactory, TeamFactory, bookable_slot, desk, person, staff

MESSAGE_ID = re.compile(r"<outbox-(\d+)@")


@dataclass
class World:
    race_service: str
    race_slots: list
    queue_team: int
    callers: list


def seed(*, racers, places, reminders, waiting):
    """Slots for the race, 2,000 booked appointments within the reminder lead, `waiting`
    residents checked in today and two caseworkers with tokens and counters."""
    quiet, background.enqueue = background.enqueue, lambda *args: False  # the seeding's mails
    try:
        service, team = ServiceFactory(), TeamFactory()
        race_slots = [
            bookable_slot(service=service, team=team, capacity=places, hour=8 + i)[2].pk
            for i in range(racers)
        ]
        remind_service, remind_team = ServiceFactory(), TeamFactory()
        soon = timezone.now() + dt.timedelta(hours=20)
        slots = [
            bookable_slot(service=remind_service, team=remind_team, capacity=100,
                          start=soon + dt.timedelta(minutes=20 * i))[2]
            for i in range(reminders // 100)
        ]  # fmt: skip
        with transaction.atomic():  # one commit instead of 2,000
            for n in range(reminders):
                booking.book(service=remind_service, slot_id=slots[n // 100].pk,
                             person=person(n), channel="staff")  # fmt: skip
        queue_service, queue_team = ServiceFactory(), TeamFactory()
        now = timezone.now()
        _, _, today = bookable_slot(service=queue_service, team=queue_team, capacity=waiting,
                                    start=now + dt.timedelta(minutes=5))  # fmt: skip
        for n in range(waiting):
            made, _ = booking.book(service=queue_service, slot_id=today.pk,
                                   person=person(100_000 + n), channel="staff")  # fmt: skip
            queue.check_in(appointment_id=made.pk, accept_late=True)
        callers = []
        for number in ("1", "2"):
            user = staff("caseworker", username=f"caseworker{number}")
            callers.append(
                {"key": ApiToken.issue(user=user)[1], "counter": desk(queue_team, number).pk}
            )
        # The seeding's own mails are not under test.
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(status=OutboxStatus.SENT)
    finally:
        background.enqueue = quiet
    return World(service.slug, race_slots, queue_team.pk, callers)


def slot_figures(slot_ids):
    """{slot id: (capacity, booked, holders, delayed releases)}."""
    figures = {}
    for slot in Slot.objects.filter(pk__in=slot_ids).order_by("pk"):
        delayed = slot.delayed_releases.count()
        holders = booking.place_holders(slot) - delayed
        figures[slot.pk] = (slot.capacity, slot.booked, holders, delayed)
    return figures


def reminders_at(counts):
    """(distinct reminders received, how many arrived more than once, reminder rows)."""
    ids = set(OutboxMessage.objects.filter(kind="reminder").values_list("pk", flat=True))
    received = {}
    for message_id, count in list(counts.items()):
        match = MESSAGE_ID.search(message_id)
        if match and int(match.group(1)) in ids:
            received[int(match.group(1))] = count
    return len(received), sum(1 for c in received.values() if c > 1), len(ids)


def reminders_pending():
    return OutboxMessage.objects.filter(kind="reminder").exclude(status=OutboxStatus.SENT).count()
