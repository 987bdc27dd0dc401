"""The event log: who did what, when (a dotted action such as `appointment.checked_in`).

Every state change writes its event in the same transaction; statistics and the audit screen
read these rows.
"""

from django.utils import timezone

from . import board_version, metrics
from .models import Event


def log_event(*, action, appointment=None, actor=None, at=None, pending=None, **data):
    """Write one event row in the caller's transaction; anonymous actors are not recorded.
    A change to an appointment of today also bumps its team's queue board version. With a
    list `pending`, the new row is appended to it unsaved, for the caller to insert with the
    transaction's next row (sql.insert_all)."""
    if appointment is not None:
        board_version.bump(
            appointment,
            slot_ids=(data.get("from_slot"), data.get("to_slot")),
            team_ids=(data.get("forwarded_from"), data.get("forwarded_to")),
        )
    metrics.appointment_event(action=action, appointment=appointment)
    event = Event(
        action=action,
        appointment=appointment,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at or timezone.now(),
        data=data,
    )
    if pending is not None:
        pending.append(event)
    else:
        event.save(force_insert=True)
    return event


def log_events(events, *, batch_size=500):
    """`log_event` for many events at once (dicts of its keyword arguments): one bulk insert.
    Board versions and metrics as for each alone (no query for an appointment whose slot is
    at hand and not today); an event may name its appointment by `appointment_id` alone, for
    a change that leaves the appointment (and so its board) as it was."""
    rows, appointments = [], []
    for event in events:
        data = dict(event)
        action, appointment = data.pop("action"), data.pop("appointment", None)
        actor, at = data.pop("actor", None), data.pop("at", None)
        appointment_id = data.pop("appointment_id", None)
        if appointment is not None:
            appointments.append(appointment)
        metrics.appointment_event(action=action, appointment=appointment)
        rows.append(
            Event(
                action=action,
                appointment_id=appointment.pk if appointment is not None else appointment_id,
                actor=actor if actor is not None and actor.is_authenticated else None,
                at=at or timezone.now(),
                data=data,
            )
        )
    board_version.bump_many(appointments)
    return Event.objects.bulk_create(rows, batch_size=batch_size)
