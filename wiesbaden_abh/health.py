"""GET /healthz: is the database reachable, and the broker (Redis) when one is configured.

Without the database nothing works: 503. Without Redis residents still book (the database stands
in for the cache, the sweepers deliver later): 200 with "degraded", so a load balancer keeps
the web servers while monitoring sees the outage."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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
