"""Arrivals: check-in with waiting numbers (and the readmission of a no-show of today) and
walk-ins from the team's daily contingent."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from .. import booking, lifecycle
from ..errors import (
    ConfirmationRequired,
    LimitReached,
    TooEarly,
    TooLate,
    TransitionNotAllowed,
    WalkInsExhausted,
    WrongDay,
)
from ..models import ACTIVE_STATUSES, Appointment, Channel, Contingent, Priority, Slot, Status
from .order import sequence


def next_waiting_number(team, *, now):
    """The team's next waiting number of the day, e.g. "B-017" (in the caller's transaction)."""
    rows = sequence(team, timezone.localdate(now))
    rows.update(last=F("last") + 1)
    return f"{team.waiting_prefix}-{rows.get().last:03d}"


@transaction.atomic
def check_in(*, appointment_id, actor=None, accept_late=False, readmit=False, now=None):
    """Reception checks a booked resident in: a waiting number, and the team's queue.

    A resident marked as no-show today who turns up after all is admitted again, but only
    with `readmit` (reception confirms); otherwise ConfirmationRequired says so.
    """
    now = now or timezone.now()
    appointment = Appointment.objects.select_related("slot__team", "queue_team").get(
        pk=appointment_id
    )
    if appointment.status == Status.NO_SHOW:
        return _readmit(appointment, actor=actor, confirmed=readmit, now=now)
    if appointment.status != Status.BOOKED:
        raise TransitionNotAllowed(
            _("Only booked appointments can be checked in (this one is “%(status)s”).")
            % {"status": appointment.get_status_display()}
        )
    start = appointment.slot.start
    if timezone.localdate(start) != timezone.localdate(now):
        raise WrongDay()
    if now < start - dt.timedelta(minutes=settings.ARRIVAL_EARLY_MINUTES):
        raise TooEarly()
    late = now > start + dt.timedelta(minutes=settings.ARRIVAL_LATE_MINUTES)
    if now > start + dt.timedelta(minutes=settings.ARRIVAL_REFUSE_MINUTES) and not accept_late:
        raise TooLate()
    team = appointment.slot.team
    return lifecycle.move(
        appointment_id=appointment.pk,
        to_status=Status.CHECKED_IN,
        actor=actor,
        now=now,
        extra_fields={
            "queue_team": team,
            "waiting_number": next_waiting_number(team, now=now),
            "arrived_late": late,
        },
        late=late,
    )


def _readmit(appointment, *, actor, confirmed, now):
    marked_at = appointment.no_show_at
    if marked_at is None or timezone.localdate(marked_at) != timezone.localdate(now):
        raise TransitionNotAllowed(
            _("Only a resident marked as not there today can be admitted again.")
        )
    if not confirmed:
        raise ConfirmationRequired(
            _(
                "This resident was marked as not there (no-show) at %(time)s. Admit them to "
                "the queue again?"
            )
            % {"time": formats.time_format(timezone.localtime(marked_at), "H:i")}
        )
    duplicate = (
        Appointment.objects.filter(
            surname_key=appointment.surname_key,
            date_of_birth=appointment.date_of_birth,
            email_key=appointment.email_key,
            service_id=appointment.service_id,
            status__in=ACTIVE_STATUSES,
        )
        .exclude(pk=appointment.pk)
        .exists()
    )
    if duplicate:
        raise LimitReached(
            _("This person already has another open appointment for this concern: use that.")
        )
    team = appointment.queue_team or appointment.slot.team
    return lifecycle.move(
        appointment_id=appointment.pk,
        to_status=Status.CHECKED_IN,
        actor=actor,
        now=now,
        extra_fields={
            "queue_team": team,
            "waiting_number": appointment.waiting_number or next_waiting_number(team, now=now),
            "call_count": 0,
            "parked_at": None,
            "counter": None,
            "served_by": None,
        },
        readmitted=True,
        no_show_at=marked_at.isoformat(),
    )


@transaction.atomic
def add_walk_in(*, team, service, person, priority=Priority.WALK_IN, actor=None, now=None):
    """A visit without appointment (an emergency, e.g. the permit expires within days, or a
    normal walk-in), from the team's daily walk-in contingent; the resident joins the queue."""
    now = now or timezone.now()
    if priority not in (Priority.WALK_IN, Priority.EMERGENCY):
        priority = Priority.WALK_IN
    taken = (
        sequence(team, timezone.localdate(now))
        .filter(walk_ins__lt=team.walk_in_daily_limit)
        .update(walk_ins=F("walk_ins") + 1)
    )
    if not taken:
        raise WalkInsExhausted()
    # A walk-in gets its own closed one-place slot, so every slot keeps booked == holders.
    slot = Slot.objects.create(
        team=team,
        start=now,
        end=now + dt.timedelta(minutes=service.duration_minutes),
        contingent=Contingent.INTERNAL,
        capacity=1,
        booked=1,
        closed=True,
    )
    appointment, _token = booking.create_appointment(
        slot=slot,
        service=service,
        person=person,
        channel=Channel.WALK_IN,
        status=Status.BOOKED,
        priority=priority,
        actor=actor,
        now=now,
        duplicate_error=LimitReached(
            _("This person already has an open appointment for this concern: check them in.")
        ),
    )
    return lifecycle.move(
        appointment_id=appointment.pk,
        to_status=Status.CHECKED_IN,
        actor=actor,
        now=now,
        extra_fields={"queue_team": team, "waiting_number": next_waiting_number(team, now=now)},
    )
