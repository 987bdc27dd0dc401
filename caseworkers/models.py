"""Staff-side tables: device tokens for call displays and kiosks, staff members' API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments.audit import log_event
from appointments.models import Team


class DeviceToken(models.Model):
    """A long-lived, revocable, read-only credential of a call display or kiosk.

    Only the hash is stored; the token is shown once when it is created.
    """

    name = models.CharField(_("device"), max_length=100)
    teams = models.ManyToManyField(Team, verbose_name=_("teams shown"), related_name="+")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("device token")
        verbose_name_plural = _("device tokens")

    def __str__(self):
        return self.name

    @staticmethod
    def hash(token):
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, *, name, teams, created_by=None):
        """Create a token; returns (device, the token in clear, shown only now)."""
        token = secrets.token_urlsafe(32)
        device = cls.objects.create(name=name, token_hash=cls.hash(token), created_by=created_by)
        device.teams.set(teams)
        return device, token

    def revoke(self, *, actor=None):
        """Revoke for good (guarded, logged); returns False if it was already revoked."""
        with transaction.atomic():
            revoked = DeviceToken.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            if revoked:
                log_event(
                    action="device_token.revoked", actor=actor, device=self.pk, name=self.name
                )
        return bool(revoked)

    @classmethod
    def active_for(cls, token):
        if not token:
            return None
        device = cls.objects.filter(token_hash=cls.hash(token), revoked_at__isnull=True).first()
        if device:
            cls.objects.filter(pk=device.pk).update(last_used_at=timezone.now())
        return device


class ApiToken(models.Model):
    """A staff member's personal API token (`Authorization: Token <key>`), one per person.

    Only its SHA-256 hash and a short prefix (to tell tokens apart in lists) are stored; the
    key is shown once, in the answer that issues it.
    """

    PREFIX_LENGTH = 8

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_token",
        verbose_name=_("user"),
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}…"

    @staticmethod
    def hash(key):
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    @transaction.atomic
    def issue(cls, *, user):
        """Replace the user's token by a new one; returns (token, the key in clear, shown once)."""
        key = secrets.token_hex(20)
        cls.objects.filter(user=user).delete()
        token = cls.objects.create(
            user=user, key_hash=cls.hash(key), prefix=key[: cls.PREFIX_LENGTH]
        )
        return token, key

    @classmethod
    def find(cls, key):
        """The token with this key (its user loaded), or None."""
        return cls.objects.select_related("user").filter(key_hash=cls.hash(key or "")).first()


class TeamMembership(models.Model):
    """A caseworker's team (Sachgebiet): the teams whose visits of today they may open.

    A caseworker with no membership (a small office that never assigned teams) sees today's
    visits of every team; see caseworkers/access.py.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="team_memberships",
        verbose_name=_("staff member"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="+", verbose_name=_("team")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="one_membership_per_team")
        ]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")

    def __str__(self):
        return f"{self.user} – {self.team}"
