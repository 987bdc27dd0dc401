"""The event log: who did what, when (a dotted action such as `appointment.checked_in`).

Every state change writes its event in the same transaction; statistics and the audit screen
read these rows.
"""

from django.utils import timezone

from . import board_version, metrics
from .models import Event


def log_event(*, action, appointment=None, actor=None, at=None, **data):
    """Write one event row in the caller's transaction; anonymous actors are not recorded.
    A change to an appointment of today also bumps its team's queue board version."""
    if appointment is not None:
        board_version.bump(
            appointment,
            slot_ids=(data.get("from_slot"), data.get("to_slot")),
            team_ids=(data.get("forwarded_from"), data.get("forwarded_to")),
        )
    metrics.appointment_event(action=action, appointment=appointment)
    return Event.objects.create(
        action=action,
        appointment=appointment,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at or timezone.now(),
        data=data,
    )
