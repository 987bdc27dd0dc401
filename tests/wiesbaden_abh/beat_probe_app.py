"""A tiny Celery app for the two-beat test: one periodic task every second, sent to its own queue
in the test's Redis database, scheduled by the project's LockedScheduler with a short lease."""

import os

from celery import Celery

app = Celery("beat_probe", broker=os.environ["REDIS_URL"])
app.conf.update(
    beat_scheduler="wiesbaden_abh.beat:LockedScheduler",
    beat_schedule={"probe": {"task": "beat_probe.tick", "schedule": 1.0}},
    beat_max_interval=1,
    beat_lock_lease_seconds=3,
    task_default_queue=os.environ["BEAT_PROBE_QUEUE"],
    broker_connection_retry_on_startup=True,
)
