"""Rate-limit counters and once-only markers kept in the database while the cache (Redis) is
unreachable (appointments.outage); keys are hashes or signatures, never personal data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class PartnerKey(models.Model):
    """A counselling office's key: holds from its shared address may exceed the address limit
    up to `limit` per window. Only the key's hash is stored; the key is shown once."""

    organisation = models.CharField(_("organisation"), max_length=200)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    limit = models.PositiveIntegerField(_("reservations per hour from its address"))
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["organisation", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(limit__gte=1), name="partner_key_limit_min")
        ]

    def __str__(self):
        return self.organisation
