"""Rate-limit counters and once-only markers kept in the database while the cache (Redis) is
unreachable (appointments.outage); keys are hashes or signatures, never personal data."""

from django.db import models


class FallbackCounter(models.Model):
    """One cache key standing in for Redis during an outage: a count that expires.

    Rate limits count attempts here; a used challenge solution is a row with count 1. Rows are
    only written during an outage and removed once expired.
    """

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=1)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key} = {self.count}"
