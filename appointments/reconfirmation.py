"""Reconfirmation: N days before the appointment (per service) the resident confirms with one
click (the reminder's signed "I will come" link: a page with one button); a second reminder
follows; still unconfirmed at the deadline, the place goes to the waitlist and the resident is
told by mail.

Asked only of booked appointments with an e-mail address (nobody loses a place they were never
asked about), booked before the request was due, outside the exempt channels and group
bookings. Each message is an outbox row per appointment and kind, so running twice sends
nothing twice; the release is a lifecycle move (reason "not reconfirmed") and the allocator
is asked in the same transaction.
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from . import lifecycle
from .booking import _free_place
from .errors import TransitionNotAllowed
from .models import (
    Appointment,
    CancellationReason,
    OutboxMessage,
    Service,
    Status,
)
from .notifications.messages import rebook_url, reply_url, send
from .waitlist import allocation

KIND = "reconfirmation"
RELEASED_KIND = "reconfirmation_released"


def deadline(appointment):
    """Until when the resident may confirm (RECONFIRMATION_DEADLINE_HOURS before the visit)."""
    return appointment.slot.start - dt.timedelta(hours=settings.RECONFIRMATION_DEADLINE_HOURS)


def _asked(occasion):
    return OutboxMessage.objects.filter(
        kind=KIND, appointment=OuterRef("pk"), idempotency_key__endswith=f":{occasion}"
    )


def _subject(service, *, now):
    """Booked, unconfirmed appointments of `service` inside its reconfirmation period."""
    return (
        Appointment.objects.filter(
            service=service,
            status=Status.BOOKED,
            attendance_confirmed_at__isnull=True,
            party__isnull=True,
            slot__start__gt=now,
            slot__start__lte=now + dt.timedelta(days=service.reconfirmation_days),
        )
        .exclude(email="")
        .exclude(channel__in=settings.RECONFIRMATION_EXEMPT_CHANNELS)
        .select_related("slot", "slot__team", "service")
    )


def _mail(appointment, occasion):
    return send(
        KIND,
        appointment,
        occasion=occasion,
        second=occasion == "reminder",
        deadline=deadline(appointment),
        confirm_url=reply_url(appointment, "confirm"),
        cancel_url=reply_url(appointment, "cancel"),
    )


def _reminder_due(appointment, requested_at):
    """The second reminder: SECOND_REMINDER_HOURS after the request, but at the latest half
    way to the deadline (a late request still gets its reminder in time)."""
    halfway = requested_at + (deadline(appointment) - requested_at) / 2
    return min(
        requested_at + dt.timedelta(hours=settings.RECONFIRMATION_SECOND_REMINDER_HOURS), halfway
    )


@transaction.atomic
def _release(appointment_id, *, now):
    """Cancel one unconfirmed appointment (a guarded lifecycle move), free its place at once
    and tell the resident; the allocator offers the place in the same transaction (after the
    commit it would be public until a worker ran, for any fast poller to take)."""
    appointment = (
        Appointment.objects.select_for_update()
        .filter(pk=appointment_id, status=Status.BOOKED, attendance_confirmed_at__isnull=True)
        .first()
    )
    if appointment is None:
        return False  # confirmed or changed meanwhile
    appointment = lifecycle.move(
        appointment_id=appointment.pk,
        to_status=Status.CANCELLED,
        now=now,
        extra_fields={"cancellation_reason": CancellationReason.UNCONFIRMED},
        reason=CancellationReason.UNCONFIRMED,
    )
    _free_place(appointment.slot_id, now=now)  # no anti-trading delay: nobody traded
    send(RELEASED_KIND, appointment, rebook_url=rebook_url(appointment))
    allocation.offer_freed_place(slot_id=appointment.slot_id, now=now)
    return True


def run(*, now=None):
    """Release what is overdue, then send due second reminders and requests; returns counts.
    Idempotent: one request, one reminder and one release notice per appointment."""
    now = now or timezone.now()
    counts = {"released": 0, "reminded": 0, "requested": 0}
    for service in Service.objects.filter(reconfirmation_days__gt=0):
        due = _subject(service, now=now).annotate(
            requested=Exists(_asked("request")), reminded=Exists(_asked("reminder"))
        )
        requests = dict(
            OutboxMessage.objects.filter(
                kind=KIND,
                idempotency_key__endswith=":request",
                appointment__in=due.filter(requested=True),
            ).values_list("appointment_id", "created_at")
        )
        for appointment in due:
            ends = deadline(appointment)
            if appointment.reminded and now >= ends:
                try:
                    counts["released"] += _release(appointment.pk, now=now)
                except TransitionNotAllowed:
                    continue  # moved meanwhile (checked in, cancelled)
            elif appointment.requested and not appointment.reminded and now < ends:
                if now >= _reminder_due(appointment, requests[appointment.pk]):
                    counts["reminded"] += bool(_mail(appointment, "reminder"))
            elif not appointment.requested and now < ends:
                booked = appointment.booked_at or appointment.created_at
                asked_from = appointment.slot.start - dt.timedelta(days=service.reconfirmation_days)
                if booked <= asked_from:  # booked within the period: nothing to ask
                    counts["requested"] += bool(_mail(appointment, "request"))
    return counts


def figures(*, service=None, since=None):
    """Places freed by reconfirmation and how many of them were booked again, per service:
    {service_id: {"freed": n, "used": m}}. Each later booking in the same slot that still
    stands or took place uses one place freed before it (two freed, one rebooked: one used)."""
    freed = Appointment.objects.filter(cancellation_reason=CancellationReason.UNCONFIRMED)
    if service is not None:
        freed = freed.filter(service=service)
    if since is not None:
        freed = freed.filter(cancelled_at__gte=since)
    releases = defaultdict(list)
    for service_id, slot_id, at in freed.values_list("service", "slot", "cancelled_at"):
        releases[slot_id].append((at, service_id))
    later = (
        Appointment.objects.filter(slot__in=list(releases), booked_at__isnull=False)
        .exclude(status__in=[Status.HELD, Status.CANCELLED, Status.EXPIRED])
        .values_list("slot", "booked_at")
    )
    bookings = defaultdict(list)
    for slot_id, at in later:
        bookings[slot_id].append(at)
    result = defaultdict(lambda: {"freed": 0, "used": 0})
    for slot_id, freed_places in releases.items():
        waiting = sorted(freed_places)
        for booked_at in sorted(bookings[slot_id]):
            if waiting and waiting[0][0] < booked_at:
                result[waiting.pop(0)[1]]["used"] += 1
        for _at, service_id in freed_places:
            result[service_id]["freed"] += 1
    return dict(result)
