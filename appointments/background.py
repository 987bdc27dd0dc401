"""Background work is asked for by task name, after the commit, and a broker outage never
breaks or slows the caller: what could not be enqueued is picked up later by a periodic sweeper
(outbox, invitation batches), so nothing is lost. After a failed publish this process does not
try again for OUTAGE_PAUSE_SECONDS, so only one request per pause waits for the failure."""

import logging

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError

from . import outage

logger = logging.getLogger(__name__)

# What sending a task raises when the broker cannot be reached (kombu wraps connection
# errors in OperationalError; a refused socket may surface as OSError).
BROKER_ERRORS = (OperationalError, OSError)


def enqueue(task_name, *args):
    """Send the task `task_name` with `args` now; False if the broker is down (or was, a moment
    ago: then nothing is tried)."""
    if outage.BROKER.active():
        return False
    try:
        current_app.tasks[task_name].delay(*args)
    except BROKER_ERRORS as error:
        outage.BROKER.start(error)
        return False
    return True


def enqueue_after_commit(task_name, *args):
    """Send the task once the caller's transaction has committed (never before)."""
    transaction.on_commit(lambda: enqueue(task_name, *args))
