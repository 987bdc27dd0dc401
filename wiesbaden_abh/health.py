"""GET /healthz: is the database reachable, and the broker (Redis) when one is configured.

Without the database nothing works: 503. Without Redis residents still book (the database stands
in for the cache, the sweepers deliver later): 200 with "degraded", so a load balancer keeps
the web servers while monitoring sees the outage.

GET /readyz: may this instance take traffic? 200 only when the database answers, the broker
answers within a second, and no migration is unapplied (checked at most every few seconds);
otherwise 503 naming the failing checks. Liveness (/healthz) never depends on the broker.
"""

import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection
from kombu.exceptions import KombuError


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _broker_state():
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        return "ok" if client.ping() else "unreachable"
    except redis.RedisError:
        return "unreachable"


@never_cache
@require_GET
def healthz(request):
    database = "ok" if _database_ok() else "unreachable"
    broker = _broker_state()
    if database != "ok":
        status = "error"
    else:
        status = "ok" if broker in {"ok", "not configured"} else "degraded"
    return JsonResponse(
        {"status": status, "database": database, "broker": broker},
        status=503 if status == "error" else 200,
    )


BROKER_TIMEOUT_SECONDS = 1
MIGRATION_CHECK_SECONDS = 5
_migrations = {"checked_at": None, "applied": False}


def _broker_reachable():
    """Can this instance reach the Celery broker within about a second?"""
    options = {
        **(settings.CELERY_BROKER_TRANSPORT_OPTIONS or {}),
        "socket_timeout": BROKER_TIMEOUT_SECONDS,
        "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
    }
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=BROKER_TIMEOUT_SECONDS,
            transport_options=options,
        ) as broker:
            broker.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
            )
    except (KombuError, OSError):
        return False
    return True


def _migrations_applied():
    """No migration of the code is missing in the database (remembered for a few seconds,
    and only while it holds: a missing migration is looked for again at every request)."""
    now = time.monotonic()
    checked_at = _migrations["checked_at"]
    if checked_at is not None and now - checked_at < MIGRATION_CHECK_SECONDS:
        return True
    executor = MigrationExecutor(connection)
    applied = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    _migrations["checked_at"] = now if applied else None
    return applied


def forget_migration_check():
    _migrations["checked_at"] = None


@never_cache
@require_GET
def readyz(request):
    checks = {"database": "ok" if _database_ok() else "unreachable"}
    checks["broker"] = "ok" if _broker_reachable() else "unreachable"
    if checks["database"] != "ok":
        checks["migrations"] = "unknown"
    else:
        try:
            checks["migrations"] = "ok" if _migrations_applied() else "unapplied"
        except DatabaseError:
            checks["migrations"] = "unknown"
    failing = [name for name, state in checks.items() if state != "ok"]
    return JsonResponse(
        {"status": "not ready" if failing else "ready", "failing": failing, "checks": checks},
        status=503 if failing else 200,
    )
