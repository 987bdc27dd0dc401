"""Proactive invitations: residents whose permits expire are invited with an appointment
already reserved (import → allocate → send → answers, reminder, deadline, outcome).

Modules: lifecycle (the state table and moves, outcomes), csv_import (check and import),
allocation (reserve places), sending (e-mails, reminders, deadlines), answers (the resident's
confirm/move/decline), letters (PDF), links (the secret answer link), reports (supervisor
reads).
"""

import importlib

# The workflow functions below are loaded on first use, not when the package is imported:
# appointments.lifecycle imports `.lifecycle` of this package (outcomes), while the workflow
# modules import booking, which imports appointments.lifecycle. Eager imports here would
# close that cycle.
_EXPORTS = {
    "allocate_batch": "allocation",
    "request_allocation": "allocation",
    "target_window": "allocation",
    "confirm": "answers",
    "decline": "answers",
    "reschedule": "answers",
    "check": "csv_import",
    "import_checked": "csv_import",
    "request_sending": "sending",
    "send_batch": "sending",
    "sweep": "sending",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
