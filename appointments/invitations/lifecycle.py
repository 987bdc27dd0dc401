"""The invitation lifecycle: the one table of allowed state moves, the move itself, and the
outcome an invited appointment's own move gives the invitation (in the same transaction).

Imports only models, errors and the audit log, so appointments.lifecycle can call
`appointment_moved` without an import cycle.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..audit import log_event
from ..errors import InvitationTransitionNotAllowed
from ..models import CancellationReason, Channel, Invitation, InvitationState, Status

S = InvitationState

# Allocation (again): new rows, rows without a place or team, rows whose appointment the office
# cancelled (a closure) and that are allocated anew after capacity was opened.
_ALLOCATION = {S.ALLOCATED, S.NO_PLACE, S.FAILED}
# What becomes of a reserved appointment: the resident's answers and the appointment's outcome.
_OUTCOMES = {S.KEPT, S.NO_SHOW, S.CANCELLED}
_ANSWERS = {S.CONFIRMED, S.RESCHEDULED, S.DECLINED}

# from-state → the states it may move to. Everything not listed is refused.
TRANSITIONS = {
    S.IMPORTED: _ALLOCATION,
    S.NO_PLACE: _ALLOCATION,
    S.FAILED: _ALLOCATION,
    S.CANCELLED: _ALLOCATION,
    S.ALLOCATED: {S.SENT} | _ANSWERS | _OUTCOMES,
    S.SENT: {S.NO_ANSWER, S.RELEASED} | _ANSWERS | _OUTCOMES,
    S.CONFIRMED: {S.RESCHEDULED, S.DECLINED} | _OUTCOMES,
    S.RESCHEDULED: {S.RESCHEDULED, S.DECLINED} | _OUTCOMES,
    S.NO_ANSWER: _ANSWERS | _OUTCOMES,
    # checked in, then not there when called: the appointment ends as a no-show
    S.KEPT: {S.NO_SHOW},
    S.RELEASED: set(),
    S.DECLINED: set(),
    # a no-show readmitted the same day when the invitee turns up after all (queue.check_in)
    S.NO_SHOW: {S.KEPT},
}

# The timestamp field stamped when an invitation enters a state (NO_PLACE and FAILED carry
# their `problem` instead; IMPORTED is only ever the initial state).
TIMESTAMP_FIELD = {
    state: f"{state.value}_at"
    for state in InvitationState
    if state not in (S.IMPORTED, S.NO_PLACE, S.FAILED)
}

# Statuses of an appointment the invitee came to.
_ATTENDED = (Status.CHECKED_IN, Status.CALLED, Status.IN_SERVICE, Status.COMPLETED)


def can_move(from_state, to_state):
    return to_state in TRANSITIONS.get(from_state, set())


@transaction.atomic
def move(*, invitation_id, to_state, actor=None, now=None, extra_fields=None, **event_data):
    """Move an invitation to `to_state`, stamping time and logging who did it.

    The update is guarded by the current state, so of two concurrent moves only one wins;
    the other gets InvitationTransitionNotAllowed. Returns the refreshed invitation.
    """
    now = now or timezone.now()
    from_state = Invitation.objects.get(pk=invitation_id).state
    if not can_move(from_state, to_state):
        raise InvitationTransitionNotAllowed(
            _("An invitation that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": InvitationState(from_state).label,
                "target": InvitationState(to_state).label,
            }
        )
    fields = {"state": to_state, **(extra_fields or {})}
    stamp = TIMESTAMP_FIELD.get(InvitationState(to_state))
    if stamp:
        fields[stamp] = now
    updated = Invitation.objects.filter(pk=invitation_id, state=from_state).update(**fields)
    if not updated:
        raise InvitationTransitionNotAllowed(_("Someone else has just changed this invitation."))
    invitation = Invitation.objects.select_related("appointment").get(pk=invitation_id)
    log_event(
        action=f"invitation.{InvitationState(to_state).value}",
        appointment=invitation.appointment,
        actor=actor,
        at=now,
        invitation=invitation.pk,
        from_state=from_state,
        **event_data,
    )
    return invitation


def outcome(appointment):
    """The invitation state an invited appointment's status amounts to, or None. A resident's
    own cancellation (from the manage page the invitation link also opens) is a decline."""
    if appointment.status in _ATTENDED:
        return S.KEPT
    if appointment.status == Status.NO_SHOW:
        return S.NO_SHOW
    if appointment.status == Status.CANCELLED:
        if appointment.cancellation_reason == CancellationReason.RESIDENT:
            return S.DECLINED
        return S.CANCELLED
    return None


def appointment_moved(*, appointment, actor=None, now=None):
    """Called by the appointment's move, in its transaction: record the outcome on the
    invitation of an invited appointment. Returns the moved invitation or None."""
    if appointment.channel != Channel.INVITATION:
        return None
    target = outcome(appointment)
    if target is None:
        return None
    row = Invitation.objects.filter(appointment=appointment).values_list("pk", "state").first()
    # Outcomes are recorded for open invitations only: one declined, released or already
    # carrying this outcome keeps its state.
    if row is None or not can_move(row[1], target):
        return None
    return move(invitation_id=row[0], to_state=target, actor=actor, now=now)
