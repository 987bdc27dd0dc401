"""GET /healthz: is the database reachable, and the broker when one is configured."""

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
    healthy = database == "ok" and broker in {"ok", "not configured"}
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
