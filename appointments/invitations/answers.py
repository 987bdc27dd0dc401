"""The resident's answers to an invitation: confirm, move within the window, decline.

Each answer is one transaction that locks the invitation, changes the appointment through the
booking module (so places are taken and freed with the usual guarantees) and logs an event.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .. import booking
from ..availability import available_days
from ..codes import normalize_code
from ..errors import NotAnswerable, OutsideWindow
from ..models import (
    Appointment,
    CancellationReason,
    Contingent,
    DeclineReason,
    Invitation,
    InvitationState,
    Slot,
    Status,
)
from ..names import surname_key
from . import lifecycle
from .links import invitation_token

# States in which the resident may still answer (again): a confirmation may be followed by a
# move or a decline while the appointment is ahead.
ANSWERABLE = (
    InvitationState.ALLOCATED,
    InvitationState.SENT,
    InvitationState.CONFIRMED,
    InvitationState.RESCHEDULED,
    InvitationState.NO_ANSWER,
)


def for_appointment(appointment):
    """The invitation of an appointment (with what its pages show), or None."""
    return (
        Invitation.objects.select_related(
            "service",
            "appointment",
            "appointment__slot",
            "appointment__slot__team",
            "appointment__service",
        )
        .filter(appointment=appointment)
        .first()
    )


def can_answer(invitation, *, now=None):
    now = now or timezone.now()
    appointment = invitation.appointment
    return (
        invitation.state in ANSWERABLE
        and appointment is not None
        and appointment.status == Status.BOOKED
        and appointment.slot.start > now
    )


def access_by_birth_date(*, code, date_of_birth, surname=""):
    """The invitation's secret token when code and date of birth (and the surname, if given)
    match an invited appointment; None otherwise. For the short link printed on letters."""
    appointment = (
        Appointment.objects.filter(code=normalize_code(code), channel="invitation")
        .select_related("invitation")
        .first()
    )
    if appointment is None or appointment.date_of_birth != date_of_birth:
        return None
    if appointment.pseudonymised_at is not None:
        return None  # its birth date is a placeholder now
    if surname and appointment.surname_key != surname_key(surname):
        return None
    try:
        return invitation_token(appointment.invitation)
    except Invitation.DoesNotExist:
        return None


def _locked(invitation_id, now):
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("appointment", "appointment__slot")
        .get(pk=invitation_id)
    )
    if not can_answer(invitation, now=now):
        raise NotAnswerable()
    return invitation


@transaction.atomic
def confirm(*, invitation_id, now=None):
    """The resident will come: the invitation is confirmed (the appointment counts as
    confirmed attendance too). Confirming twice changes nothing."""
    now = now or timezone.now()
    invitation = _locked(invitation_id, now)
    if invitation.state in (InvitationState.CONFIRMED, InvitationState.RESCHEDULED):
        return invitation
    invitation = lifecycle.move(
        invitation_id=invitation.pk, to_state=InvitationState.CONFIRMED, now=now
    )
    booking.confirm_attendance(appointment_id=invitation.appointment_id, now=now)
    return invitation


def reschedule_range(invitation, *, now=None):
    """The dates the resident may move to: their window, from tomorrow on at the earliest."""
    today = timezone.localdate(now or timezone.now())
    earliest = today + dt.timedelta(days=max(invitation.service.booking_window_min_days, 1))
    return max(invitation.window_first or earliest, earliest), invitation.window_last


def free_days(invitation, *, now=None):
    """[(day, [slot, …]), …] of free internal places in the invitee's window, their current
    time excluded."""
    first, last = reschedule_range(invitation, now=now)
    if last is None or first > last:
        return []
    days = available_days(
        service=invitation.service,
        team=invitation.appointment.slot.team_id,
        date_from=first,
        date_to=last,
        contingents=(Contingent.INTERNAL,),
        now=now,
        respect_release=False,
    )
    current = invitation.appointment.slot_id
    days = [(day, [s for s in slots if s.pk != current]) for day, slots in days]
    return [(day, slots) for day, slots in days if slots]


@transaction.atomic
def reschedule(*, invitation_id, slot_id, token=None, now=None):
    """Move the invited appointment to another free internal place within the window."""
    now = now or timezone.now()
    invitation = _locked(invitation_id, now)
    first, last = reschedule_range(invitation, now=now)
    slot = Slot.objects.filter(pk=slot_id, contingent=Contingent.INTERNAL).first()
    if slot is None or not first <= timezone.localdate(slot.start) <= last:
        raise OutsideWindow()
    booking.reschedule(
        appointment_id=invitation.appointment_id,
        slot_id=slot.pk,
        internal=True,
        token=token,
        now=now,
    )
    return lifecycle.move(
        invitation_id=invitation.pk,
        to_state=InvitationState.RESCHEDULED,
        now=now,
        to_slot=slot.pk,
    )


@transaction.atomic
def decline(*, invitation_id, reason, note="", now=None):
    """The resident does not need the appointment: it is cancelled and its place freed."""
    now = now or timezone.now()
    if reason not in DeclineReason.values:
        raise ValueError(reason)
    invitation = _locked(invitation_id, now)
    # Declined first, with the reason; the cancellation's outcome then leaves it declined.
    invitation = lifecycle.move(
        invitation_id=invitation.pk,
        to_state=InvitationState.DECLINED,
        now=now,
        extra_fields={
            "decline_reason": reason,
            "decline_note": note.strip()[:300] if reason == DeclineReason.OTHER else "",
        },
        reason=reason,
    )
    booking.cancel(
        appointment_id=invitation.appointment_id, reason=CancellationReason.RESIDENT, now=now
    )
    return invitation
