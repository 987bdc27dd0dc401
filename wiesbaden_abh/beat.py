"""Exactly one Celery beat sends: a lease in Redis (SET NX PX, renewed on every tick).

A second beat started by mistake logs that it waits and sends nothing; it follows the schedule
silently (marks each due entry as run without sending), so when the first one dies and the lease
runs out it takes over in step, without a burst of catch-up sends. Each send is recorded in a
Redis hash (task name → ISO time) for the administrators' page of periodic tasks.

Without Redis (the embedded default on kombu's filesystem transport) there is only the one
beat of `make run`, and no lock is taken.
"""

import contextlib
import datetime as dt
import logging
import os
import socket
import uuid

import redis
from celery.beat import PersistentScheduler

logger = logging.getLogger(__name__)

LOCK_KEY = "wiesbaden_abh:beat:lock"
LAST_RUN_KEY = "wiesbaden_abh:beat:last-run"
# Renew only if we still hold the lease; release only our own.
_IF_OURS = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call({}) else return 0 end"
_RENEW = _IF_OURS.format("'pexpire', KEYS[1], ARGV[2]")
_RELEASE = _IF_OURS.format("'del', KEYS[1]")


def lock_url(app):
    """The Redis URL of the lock: the broker's, if the broker is Redis."""
    url = app.conf.broker_url or ""
    return url if url.startswith(("redis://", "rediss://", "unix://")) else ""


class LockedScheduler(PersistentScheduler):
    """celery's file-backed scheduler that sends only while it holds the Redis lease."""

    def __init__(self, *args, **kwargs):
        app = kwargs.get("app") or args[0]
        self.lease_ms = int(app.conf.get("beat_lock_lease_seconds") or 30) * 1000
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        url = lock_url(app)
        self.redis = redis.Redis.from_url(url, socket_timeout=5) if url else None
        self.holding = False
        self._waiting_logged = False
        super().__init__(*args, **kwargs)

    def _acquire_or_renew(self):
        """True while this beat holds the lease."""
        try:
            if self.holding:
                self.holding = bool(self.redis.eval(_RENEW, 1, LOCK_KEY, self.token, self.lease_ms))
                if not self.holding:
                    logger.warning("beat %s lost the scheduler lock; waiting", self.token)
            if not self.holding:
                self.holding = bool(self.redis.set(LOCK_KEY, self.token, nx=True, px=self.lease_ms))
                if self.holding:
                    logger.warning("beat %s holds the scheduler lock and sends", self.token)
                    self._waiting_logged = False
        except redis.RedisError as error:
            logger.warning("beat %s cannot reach the lock (%s); sends nothing", self.token, error)
            self.holding = False
        return self.holding

    def tick(self, *args, **kwargs):
        if self.redis is None or self._acquire_or_renew():
            return super().tick(*args, **kwargs)
        if not self._waiting_logged:
            holder = self.redis.get(LOCK_KEY)
            logger.warning(
                "beat %s waits: another beat holds the scheduler lock (%s)",
                self.token,
                holder.decode() if holder else "?",
            )
            self._waiting_logged = True
        self._follow_schedule()
        # Try again well within the lease, so a take-over happens soon after the holder dies.
        return min(self.max_interval, self.lease_ms / 3000)

    def _follow_schedule(self):
        """Mark due entries as run without sending, to stay in step with the holder."""
        for entry in list(self.schedule.values()):
            if entry.is_due()[0]:
                self.schedule[entry.name] = self.reserve(entry)

    def apply_entry(self, entry, producer=None):
        super().apply_entry(entry, producer=producer)
        if self.redis is not None:
            try:
                self.redis.hset(LAST_RUN_KEY, entry.name, dt.datetime.now(dt.UTC).isoformat())
            except redis.RedisError:
                logger.warning("beat could not record the last run of %s", entry.name)

    def close(self):
        super().close()
        if self.redis is not None and self.holding:
            with contextlib.suppress(redis.RedisError):
                self.redis.eval(_RELEASE, 1, LOCK_KEY, self.token)
            self.holding = False
