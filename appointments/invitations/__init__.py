"""Proactive invitations: residents whose permits expire are invited with an appointment
already reserved (import → allocate → send → answers, reminder, deadline, outcome).

Modules: csv_import (check and import), allocation (reserve places), sending (e-mails,
reminders, deadlines, outcomes), answers (the resident's confirm/move/decline), letters
(PDF), links (the secret answer link), reports (supervisor reads).
"""

from .allocation import allocate_batch, request_allocation, target_window
from .answers import confirm, decline, reschedule
from .csv_import import check, import_checked
from .sending import request_sending, send_batch, sweep

__all__ = [
    "allocate_batch",
    "check",
    "confirm",
    "decline",
    "import_checked",
    "request_allocation",
    "request_sending",
    "reschedule",
    "send_batch",
    "sweep",
    "target_window",
]
