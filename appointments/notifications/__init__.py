"""Messages to residents: stored in the outbox in the caller's transaction (rendered there, or
a booking's by the worker that sends them), delivered by Celery after the commit, retried by
the sweeper (see outbox.py)."""

from .messages import (
    appointment_booked,
    appointment_cancelled,
    appointment_created,
    appointment_no_show,
    appointment_rescheduled,
    manage_url,
    render_message,
    send,
)

__all__ = [
    "appointment_booked",
    "appointment_cancelled",
    "appointment_created",
    "appointment_no_show",
    "appointment_rescheduled",
    "manage_url",
    "render_message",
    "send",
]
