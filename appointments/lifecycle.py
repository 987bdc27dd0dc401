"""The appointment lifecycle (DESIGN.md §4): the one table of allowed moves and the move itself."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import log_event
from .errors import TransitionNotAllowed
from .invitations import lifecycle as invitation_lifecycle
from .models import Appointment, Status

# from-status → the statuses it may move to. Everything not listed is refused.
TRANSITIONS = {
    Status.HELD: {Status.BOOKED, Status.EXPIRED, Status.CANCELLED},
    Status.BOOKED: {Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW},
    Status.CHECKED_IN: {Status.CALLED, Status.NO_SHOW},
    Status.CALLED: {Status.CALLED, Status.IN_SERVICE, Status.CHECKED_IN, Status.NO_SHOW},
    # back to the queue while in service: parked (fetching a document) or forwarded
    Status.IN_SERVICE: {Status.COMPLETED, Status.CHECKED_IN},
    Status.COMPLETED: set(),
    Status.CANCELLED: set(),
    Status.EXPIRED: set(),
    # readmitted at check-in when the person turns up after all (queue.check_in: same day only)
    Status.NO_SHOW: {Status.CHECKED_IN},
}

# The timestamp field stamped when an appointment enters a status.
TIMESTAMP_FIELD = {status: f"{status.value}_at" for status in Status}


def can_move(from_status, to_status):
    return to_status in TRANSITIONS.get(from_status, set())


@transaction.atomic
def move(*, appointment_id, to_status, actor=None, now=None, extra_fields=None, **event_data):
    """Move an appointment to `to_status`, stamping time and logging who did it.

    The update is guarded by the current status, so of two concurrent moves only one wins;
    the other gets TransitionNotAllowed. Returns the refreshed appointment.
    """
    now = now or timezone.now()
    appointment = Appointment.objects.get(pk=appointment_id)
    from_status = appointment.status
    if not can_move(from_status, to_status):
        raise TransitionNotAllowed(
            _("An appointment that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": Status(from_status).label,
                "target": Status(to_status).label,
            }
        )
    fields = {"status": to_status, TIMESTAMP_FIELD[Status(to_status)]: now, **(extra_fields or {})}
    updated = Appointment.objects.filter(pk=appointment_id, status=from_status).update(**fields)
    if not updated:
        raise TransitionNotAllowed(_("Someone else has just changed this appointment."))
    appointment.refresh_from_db()
    log_event(
        action=f"appointment.{Status(to_status).value}",
        appointment=appointment,
        actor=actor,
        at=now,
        from_status=from_status,
        **event_data,
    )
    # An invited appointment's outcome (kept, no-show, cancelled) is the invitation's too.
    invitation_lifecycle.appointment_moved(appointment=appointment, actor=actor, now=now)
    return appointment
