"""Cache-based rate limits (Redis in production) for the booking steps."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_ip(request):
    """The client's address; behind a trusted proxy the address it appended last."""
    if settings.USE_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def allow(scope, identity, *, limit, window_seconds):
    """Count one attempt of `identity` in `scope`; False once more than `limit` in the window."""
    if not settings.RATE_LIMITS:
        return True
    digest = hashlib.sha256(f"{scope}:{identity}".encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}"
    if cache.add(key, 1, timeout=window_seconds):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return limit >= 1
    return count <= limit
