"""Celery signal handlers of every process that runs or sends tasks: the web request's id
carried into the tasks it sends (a message header, bound to the task's log lines), task metrics
(count, failures, duration by task name) and, in a worker with METRICS_WORKER_PORT, an HTTP
endpoint that serves them. Connected when the Celery app is imported (wiesbaden_abh/celery.py),
so it imports no Django models here."""

import os
import time

from celery import signals
from django.conf import settings
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    multiprocess,
    start_http_server,
)
from structlog.contextvars import bind_contextvars, get_contextvars, reset_contextvars

TASKS = Counter(
    "abh_celery_tasks_total", "Celery tasks run, by task and final state.", ["task", "state"]
)
TASK_FAILURES = Counter(
    "abh_celery_task_failures_total",
    "Celery tasks that raised, by task and error class.",
    ["task", "error"],
)
TASK_DURATION = Histogram(
    "abh_celery_task_duration_seconds",
    "How long Celery tasks ran, by task.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)

_started = {}
_log_context = {}

REQUEST_ID = "request_id"


@signals.before_task_publish.connect
def _carry_request_id(headers=None, **kwargs):
    """A task sent while serving a request carries the request's id in its headers."""
    request_id = get_contextvars().get(REQUEST_ID)
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID, request_id)


def _name(task, sender):
    return getattr(task, "name", None) or getattr(sender, "name", None) or "unknown"


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **kwargs):
    _started[task_id] = time.perf_counter()
    # From the message header (a worker), or the sender's own context (an eager task).
    request_id = getattr(task.request, REQUEST_ID, None) or get_contextvars().get(REQUEST_ID)
    _log_context[task_id] = bind_contextvars(
        request_id=request_id, task=getattr(task, "name", None), task_id=task_id
    )


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, sender=None, state=None, **kwargs):
    started = _started.pop(task_id, None)
    tokens = _log_context.pop(task_id, None)
    if tokens:
        reset_contextvars(**tokens)
    name = _name(task, sender)
    TASKS.labels(task=name, state=state or "UNKNOWN").inc()
    if started is not None:
        TASK_DURATION.labels(task=name).observe(time.perf_counter() - started)


@signals.task_failure.connect
def _task_failed(sender=None, exception=None, **kwargs):
    TASK_FAILURES.labels(task=_name(None, sender), error=type(exception).__name__).inc()


@signals.worker_ready.connect
def _serve_worker_metrics(**kwargs):
    """The worker's main process serves the metrics of all its pool processes (they share
    PROMETHEUS_MULTIPROC_DIR) on METRICS_WORKER_PORT; without the port nothing is served."""
    if not settings.METRICS_WORKER_PORT:
        return
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    start_http_server(settings.METRICS_WORKER_PORT, registry=registry)


@signals.worker_process_shutdown.connect
def _pool_process_gone(pid=None, **kwargs):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid or os.getpid())
