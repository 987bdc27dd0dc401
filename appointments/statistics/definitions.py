"""What the figures mean, once, as SQL conditions on Appointment (the report page says the same
in words): booked, kept, no-show, cancelled, late cancellation, waiting, processing, lead time.
"""

import datetime as dt

from django.conf import settings
from django.db.models import (
    Case,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    TextChoices,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import CancellationReason, Channel, Event, Status


class LeadBucket(TextChoices):
    """Whole days (24 hours) between the booking and the start of the appointment."""

    DAYS_0_3 = "0_3", _("0–3 days")
    DAYS_4_7 = "4_7", _("4–7 days")
    DAYS_8_14 = "8_14", _("8–14 days")
    DAYS_15_28 = "15_28", _("15–28 days")
    OVER_28 = "over_28", _("more than 28 days")


# Statuses of a resident who came: checked in and then waiting, called, served or done.
KEPT_STATUSES = (Status.CHECKED_IN, Status.CALLED, Status.IN_SERVICE, Status.COMPLETED)

# Lead-time buckets in whole days: (bucket, first day, last day or None for "and more").
LEAD_BUCKETS = (
    (LeadBucket.DAYS_0_3, None, 3),
    (LeadBucket.DAYS_4_7, 4, 7),
    (LeadBucket.DAYS_8_14, 8, 14),
    (LeadBucket.DAYS_15_28, 15, 28),
    (LeadBucket.OVER_28, 29, None),
)

# Channels whose appointments count for Termintreue; walk-ins had no appointment to keep.
APPOINTMENT_CHANNELS = tuple(c for c in Channel.values if c != Channel.WALK_IN)


def office_tz():
    return timezone.get_default_timezone()


def was_booked():
    """Appointments that were really booked: held ones that expired or were given up never were."""
    return Q(booked_at__isnull=False) | Q(checked_in_at__isnull=False)


def kept():
    return Q(status__in=KEPT_STATUSES)


def _cancelled_after_start():
    # The place was already lost: a cancellation after the appointment began is a no-show.
    return Q(status=Status.CANCELLED, cancelled_at__gte=F("slot__start")) & ~Q(
        cancellation_reason=CancellationReason.CLOSURE
    )


def no_show(*, now):
    """Marked as no-show (by the sweep, by staff, or after three unanswered calls), still booked
    when the sweep's grace period after the slot has passed, or cancelled only afterwards."""
    cutoff = now - dt.timedelta(minutes=settings.NO_SHOW_GRACE_MINUTES)
    return (
        Q(status=Status.NO_SHOW)
        | Q(status=Status.BOOKED, slot__end__lte=cutoff)
        | _cancelled_after_start()
    )


def cancelled():
    return Q(status=Status.CANCELLED) & ~_cancelled_after_start()


def late_cancelled():
    """Cancelled by the resident or staff less than LATE_CANCELLATION_HOURS before the start."""
    late_from = ExpressionWrapper(
        F("slot__start") - Value(dt.timedelta(hours=settings.LATE_CANCELLATION_HOURS)),
        output_field=DateTimeField(),
    )
    return (
        cancelled()
        & Q(cancellation_reason__in=(CancellationReason.RESIDENT, CancellationReason.STAFF))
        & Q(cancelled_at__gt=late_from)
    )


def confirmed():
    return Q(attendance_confirmed_at__isnull=False)


def waiting_duration():
    """Check-in → first call. Parking or forwarding stamps checked_in_at again; then the first
    check-in is taken from the event log."""
    first_called = Coalesce("first_called_at", "called_at")
    first_check_in = Subquery(
        Event.objects.filter(appointment=OuterRef("pk"), action="appointment.checked_in")
        .order_by("at", "pk")
        .values("at")[:1],
        output_field=DateTimeField(),
    )
    start = Case(
        When(checked_in_at__gt=first_called, then=first_check_in),
        default=F("checked_in_at"),
        output_field=DateTimeField(),
    )
    return ExpressionWrapper(first_called - start, output_field=DurationField())


def has_waiting():
    return (
        kept()
        & Q(checked_in_at__isnull=False)
        & (Q(first_called_at__isnull=False) | Q(called_at__isnull=False))
    )


def processing_duration():
    """Start of service → finish."""
    return ExpressionWrapper(F("completed_at") - F("in_service_at"), output_field=DurationField())


def has_processing():
    return Q(status=Status.COMPLETED, in_service_at__isnull=False, completed_at__isnull=False)


def lead_duration():
    """Booking → start of the appointment, as a duration."""
    return ExpressionWrapper(F("slot__start") - F("booked_at"), output_field=DurationField())


def has_lead():
    return Q(booked_at__isnull=False) & ~Q(channel=Channel.WALK_IN)


def in_lead_bucket(first, last):
    """A Q on the `lead` alias: from `first` up to `last` whole days (24 hours) ahead."""
    condition = has_lead()
    if first is not None:
        condition &= Q(lead__gte=dt.timedelta(days=first))
    if last is not None:
        condition &= Q(lead__lt=dt.timedelta(days=last + 1))
    return condition
