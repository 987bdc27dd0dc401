"""Living through a Redis outage: a per-process pause after a failure, so no request waits on a
cache or broker that is down, and the database standing in for the cache meanwhile.

While the cache's pause lasts, the rate limits count and the challenge replay store remembers in
the table FallbackCounter (same keys: hashes and signatures, no personal data); while the
broker's lasts, nothing is published and the sweepers deliver later. One warning per pause,
naming only the error's type, so an outage does not flood the log.

Counts kept in Redis before the outage are not seen by the database (and the other way round):
for one window around a switch a limit may let a few more attempts through, never fewer. A
challenge solution used during the outage stays used when Redis is back (`marked`, asked by a
process that saw the outage within a challenge's lifetime); one used in Redis just before the
outage could be replayed once during it (each replay still counts against the hold limits).
"""

import datetime as dt
import logging
import time

import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import FallbackCounter

logger = logging.getLogger(__name__)

# What a cache call raises while Redis is down.
CACHE_ERRORS = (redis.RedisError, OSError)


class Pause:
    """After a failure, `active()` is True for OUTAGE_PAUSE_SECONDS (in this process)."""

    def __init__(self, name, consequence):
        self.name, self.consequence = name, consequence
        self._until = self._failed_at = None

    def active(self):
        return self._until is not None and time.monotonic() < self._until

    def failed_within(self, seconds):
        """Whether the last failure in this process was less than `seconds` ago."""
        return self._failed_at is not None and time.monotonic() - self._failed_at < seconds

    def start(self, error):
        """Record a failure: pause, and log one warning without the error's text (it may hold
        a key or an address)."""
        self._failed_at = time.monotonic()
        self._until = self._failed_at + settings.OUTAGE_PAUSE_SECONDS
        logger.warning(
            "%s unavailable (%s); %s for %ss",
            self.name,
            type(error).__name__,
            self.consequence,
            settings.OUTAGE_PAUSE_SECONDS,
        )

    def clear(self):
        self._until = self._failed_at = None


CACHE = Pause("cache", "rate limits and challenge replay use the database")
BROKER = Pause("broker", "tasks are left to the sweepers")


def _expiry(timeout):
    return timezone.now() + dt.timedelta(seconds=timeout)


@transaction.atomic
def incr(*, key, timeout):
    """Count one more for `key` (a fresh count of 1 lasts `timeout` seconds); the new count."""
    now = timezone.now()
    counter = FallbackCounter.objects.select_for_update().filter(key=key).first()
    if counter is None:
        try:
            with transaction.atomic():
                FallbackCounter.objects.filter(expires_at__lte=now).delete()
                FallbackCounter.objects.create(key=key, count=1, expires_at=_expiry(timeout))
            return 1
        except IntegrityError:  # created concurrently: count on it
            counter = FallbackCounter.objects.select_for_update().get(key=key)
    if counter.expires_at <= now:
        counter.count, counter.expires_at = 1, _expiry(timeout)
    else:
        counter.count += 1
    counter.save(update_fields=["count", "expires_at"])
    return counter.count


@transaction.atomic
def add(*, key, timeout):
    """Mark `key` for `timeout` seconds; True if it was not marked (as cache.add)."""
    FallbackCounter.objects.filter(expires_at__lte=timezone.now()).delete()
    try:
        with transaction.atomic():
            FallbackCounter.objects.create(key=key, count=1, expires_at=_expiry(timeout))
    except IntegrityError:
        return False
    return True


def marked(*, key):
    """Whether `key` was marked during an outage and has not expired (one indexed read)."""
    return FallbackCounter.objects.filter(key=key, expires_at__gt=timezone.now()).exists()
