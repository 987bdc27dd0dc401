"""Reminders before an appointment: one per appointment and lead, however often it runs."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from ..models import Appointment, OutboxMessage, Status
from .messages import reminder


def schedule_reminders(*, now=None):
    """Write the reminders that are due for every configured lead; returns how many."""
    now = now or timezone.now()
    written = 0
    for lead_hours in sorted(settings.REMINDER_LEADS_HOURS, reverse=True):
        horizon = now + dt.timedelta(hours=lead_hours)
        already = OutboxMessage.objects.filter(
            kind="reminder", idempotency_key__endswith=f":lead-{lead_hours}"
        )
        due = (
            Appointment.objects.filter(
                status=Status.BOOKED, slot__start__gt=now, slot__start__lte=horizon
            )
            .exclude(email="")
            .exclude(pk__in=already.values("appointment_id"))
            .select_related("slot", "slot__team", "service")
        )
        for appointment in due.iterator(chunk_size=200):
            if reminder(appointment, lead_hours=lead_hours):
                written += 1
    return written
