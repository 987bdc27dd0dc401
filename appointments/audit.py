"""The audit log's one writer: every state change records who, what and when (DESIGN.md §4)."""

from django.utils import timezone

from .models import Event


def log_event(*, action, appointment=None, actor=None, at=None, **data):
    """Write one audit event row (in the caller's transaction)."""
    return Event.objects.create(
        action=action,
        appointment=appointment,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at or timezone.now(),
        data=data,
    )
