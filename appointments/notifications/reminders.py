"""Reminders before an appointment: one per appointment and lead, however often it runs.

They are written in chunks, each in one transaction, and each chunk is handed to the workers as
one delivery batch (one SMTP connection), so ten thousand reminders are a few dozen tasks."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Appointment, OutboxMessage, Status
from .messages import compose, reminder, store_batch
from .outbox import BATCH_SIZE


def schedule_reminders(*, now=None):
    """Write the reminders that are due for every configured lead; returns how many."""
    now = now or timezone.now()
    written = 0
    for lead_hours in sorted(settings.REMINDER_LEADS_HOURS, reverse=True):
        horizon = now + dt.timedelta(hours=lead_hours)
        already = OutboxMessage.objects.filter(
            kind="reminder", idempotency_key__endswith=f":lead-{lead_hours}"
        )
        due = list(
            Appointment.objects.filter(
                status=Status.BOOKED, slot__start__gt=now, slot__start__lte=horizon
            )
            .exclude(email="")
            .exclude(pk__in=already.values("appointment_id"))
            .order_by("slot__start", "pk")
            .values_list("pk", flat=True)
        )
        for start in range(0, len(due), BATCH_SIZE):
            written += _write_chunk(due[start : start + BATCH_SIZE], lead_hours)
    return written


@transaction.atomic
def _write_chunk(appointment_ids, lead_hours):
    """One transaction: the chunk's reminders in one INSERT, delivered as one batch after the
    commit; returns how many were written."""
    appointments = (
        Appointment.objects.filter(pk__in=appointment_ids)
        .select_related("slot", "slot__team", "service")
        .order_by("slot__start", "pk")
    )
    return len(
        store_batch(
            [
                reminder(item, lead_hours=lead_hours, write=compose, unwritten=True)
                for item in appointments
            ]
        )
    )
