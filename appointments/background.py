"""Background work is asked for by task name, after the commit, and a broker outage never
breaks the caller: what could not be enqueued is picked up later by a periodic sweeper
(outbox, invitation batches), so nothing is lost."""

import logging

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# What sending a task raises when the broker cannot be reached (kombu wraps connection
# errors in OperationalError; a refused socket may surface as OSError).
BROKER_ERRORS = (OperationalError, OSError)


def enqueue(task_name, *args):
    """Send the task `task_name` with `args` now; False (and a warning) if the broker is down."""
    try:
        current_app.tasks[task_name].delay(*args)
    except BROKER_ERRORS:
        logger.warning("broker unavailable; %s%r waits for its sweeper", task_name, args)
        return False
    return True


def enqueue_after_commit(task_name, *args):
    """Send the task once the caller's transaction has committed (never before)."""
    transaction.on_commit(lambda: enqueue(task_name, *args))
