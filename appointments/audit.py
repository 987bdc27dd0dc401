"""The event log: who did what, when (a dotted action such as `appointment.checked_in`).

Every state change writes its event in the same transaction; statistics and the audit screen
read these rows.
"""

from django.utils import timezone

from . import metrics
from .models import Event


def log_event(*, action, appointment=None, actor=None, at=None, **data):
    """Write one event row in the caller's transaction; anonymous actors are not recorded."""
    metrics.appointment_event(action=action, appointment=appointment)
    return Event.objects.create(
        action=action,
        appointment=appointment,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at or timezone.now(),
        data=data,
    )
