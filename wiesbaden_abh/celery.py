"""The Celery app, configured from Django's settings (CELERY_* names); tasks live in the apps."""

import multiprocessing
import os
from pathlib import Path

from celery import Celery
from celery.signals import worker_shutting_down

from . import task_signals  # noqa: F401 (task metrics and log context in every process)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesbaden_abh.settings")

app = Celery("wiesbaden_abh")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_queue_folders(sender, **kwargs):
    """The filesystem transport needs its folders before the first message."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@app.task(name="wiesbaden_abh.ping", ignore_result=False)
def ping():
    """A trivial task for health checks and the round-trip test."""
    return "pong"


# Set in the worker's main process at a warm shutdown (SIGTERM); the prefork pool's children
# share it (created before they fork), so a long task such as the outbox sweep stops claiming.
_SHUTDOWN = multiprocessing.Event()


@worker_shutting_down.connect
def _note_shutdown(sig=None, how=None, exitcode=None, **kwargs):
    _SHUTDOWN.set()


def shutdown_requested():
    """True once this worker has been asked to stop."""
    return _SHUTDOWN.is_set()
