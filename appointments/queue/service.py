"""Serving: start, finish with the outcome (correctable the same day, audited) and the
follow-up visit (e.g. card pickup) for the same case."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import booking, lifecycle
from ..audit import log_event
from ..availability import available_days, free_slots
from ..errors import NoFollowUp, TransitionNotAllowed
from ..models import Appointment, Case, Channel, Contingent, Outcome, Status
from ..people import Person
from ..responsibility import responsible_team
from .calls import ensure_handler


@transaction.atomic
def start_service(*, appointment_id, actor=None, now=None):
    """Start serving a called resident (refused on a colleague's resident: take over first)."""
    appointment = Appointment.objects.select_related("served_by").get(pk=appointment_id)
    ensure_handler(appointment, actor=actor)
    return lifecycle.move(
        appointment_id=appointment_id,
        to_status=Status.IN_SERVICE,
        actor=actor,
        now=now or timezone.now(),
        extra_fields={"served_by": actor if actor is not None and actor.is_authenticated else None},
    )


def _complete_case(appointment, *, outcome, now, reopen=False):
    """The case is complete unless documents are missing or a follow-up visit is due (a
    corrected outcome may `reopen` it)."""
    if not appointment.case_id:
        return
    needs_follow_up = (
        outcome == Outcome.APPLICATION_FILED and appointment.service.follow_up_service_id
    )
    cases = Case.objects.filter(pk=appointment.case_id)
    if outcome != Outcome.DOCUMENTS_MISSING and not needs_follow_up:
        cases.filter(completed_at__isnull=True).update(completed_at=now)
    elif reopen:
        cases.update(completed_at=None)


@transaction.atomic
def finish(*, appointment_id, outcome, note="", actor=None, now=None):
    """Finish the visit with its outcome; the case is complete unless a follow-up is due."""
    now = now or timezone.now()
    if outcome not in Outcome.values:
        raise TransitionNotAllowed(_("Please choose an outcome."))
    ensure_handler(
        Appointment.objects.select_related("served_by").get(pk=appointment_id), actor=actor
    )
    appointment = lifecycle.move(
        appointment_id=appointment_id,
        to_status=Status.COMPLETED,
        actor=actor,
        now=now,
        extra_fields={"outcome": outcome, "internal_note": note.strip()[:500]},
        outcome=outcome,
    )
    _complete_case(appointment, outcome=outcome, now=now)
    return appointment


@transaction.atomic
def correct_outcome(*, appointment_id, outcome, note="", actor=None, now=None):
    """Correct a finished visit's outcome and note on the day it was finished (audited with
    the old and the new outcome)."""
    now = now or timezone.now()
    if outcome not in Outcome.values:
        raise TransitionNotAllowed(_("Please choose an outcome."))
    appointment = Appointment.objects.select_related("service").get(pk=appointment_id)
    if appointment.status != Status.COMPLETED or appointment.completed_at is None:
        raise TransitionNotAllowed(_("Only a finished visit's outcome can be corrected."))
    if timezone.localdate(appointment.completed_at) != timezone.localdate(now):
        raise TransitionNotAllowed(_("The outcome can be corrected on the day of the visit only."))
    note = note.strip()[:500]
    updated = Appointment.objects.filter(
        pk=appointment.pk, status=Status.COMPLETED, outcome=appointment.outcome
    ).update(outcome=outcome, internal_note=note)
    if not updated:
        raise TransitionNotAllowed(_("Someone else has just changed this appointment."))
    log_event(
        action="appointment.outcome_corrected",
        appointment=appointment,
        actor=actor,
        at=now,
        from_outcome=appointment.outcome,
        outcome=outcome,
        note_changed=note != appointment.internal_note,
    )
    _complete_case(appointment, outcome=outcome, now=now, reopen=True)
    appointment.refresh_from_db()
    return appointment


def follow_up_slots(appointment, *, date_from, date_to, now=None):
    """Free slots (both contingents) for the appointment's follow-up service and team."""
    service = appointment.service.follow_up_service
    if service is None:
        raise NoFollowUp()
    team = responsible_team(
        service=service,
        surname=appointment.routing_surname,
        nationality=str(appointment.nationality),
    )
    return service, available_days(
        service=service,
        team=team,
        date_from=date_from,
        date_to=date_to,
        contingents=(Contingent.INTERNAL, Contingent.ONLINE),
        now=now,
        respect_release=False,
    )


def first_follow_up_week(appointment, *, now=None):
    """The Monday of the first week with a free internal place for the follow-up service
    among the materialised slots (the rolling horizon, or the longer one allocation fills), at
    the earliest FOLLOW_UP_LEAD_DAYS from today (that day itself when there is no free place,
    so the screen still opens on something sensible)."""
    service = appointment.service.follow_up_service
    if service is None:
        raise NoFollowUp()
    now = now or timezone.now()
    today = timezone.localdate(now)
    earliest = today + dt.timedelta(days=max(settings.FOLLOW_UP_LEAD_DAYS, 1))
    horizon = settings.INVITATION_SLOT_HORIZON_DAYS
    team = responsible_team(
        service=service,
        surname=appointment.routing_surname,
        nationality=str(appointment.nationality),
    )
    first = (
        free_slots(
            service=service,
            team=team,
            date_from=earliest,
            date_to=today + dt.timedelta(days=max(settings.SLOT_HORIZON_DAYS, horizon)),
            contingents=(Contingent.INTERNAL,),
            now=now,
        )
        .values_list("start", flat=True)
        .first()
    )
    if first is None:
        return earliest
    day = timezone.localdate(first)
    return max(day - dt.timedelta(days=day.weekday()), earliest)


@transaction.atomic
def book_follow_up(*, appointment_id, slot_id, actor=None, now=None):
    """Book the second visit (e.g. card pickup) for the same person and case; the resident
    gets the confirmation mail."""
    appointment = Appointment.objects.select_related("service").get(pk=appointment_id)
    if appointment.status != Status.COMPLETED:
        raise TransitionNotAllowed(_("A follow-up visit is booked after the visit is finished."))
    service = appointment.service.follow_up_service
    if service is None:
        raise NoFollowUp()
    follow_up, _token = booking.book(
        service=service,
        slot_id=slot_id,
        person=Person.of(appointment),
        channel=Channel.FOLLOW_UP,
        actor=actor,
        case=appointment.case,
        now=now,
    )
    return follow_up
