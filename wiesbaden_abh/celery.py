"""The Celery app, configured from Django's settings (CELERY_* names); tasks live in the apps."""

import os
from pathlib import Path

from celery import Celery

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
