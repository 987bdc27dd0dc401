"""Days released in allocation mode: offered to the waitlist first, public from `public_at`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .catalogue import Service, Team


class DayRelease(models.Model):
    """One day of one service and team released to the waitlist (release mode allocation);
    residents see and book its places only from `public_at` on."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="day_releases")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="day_releases")
    day = models.DateField(_("day"))
    released_at = models.DateTimeField(_("released to the waitlist"))
    public_at = models.DateTimeField(_("public from"))
    offers = models.PositiveIntegerField(_("offers made"), default=0)

    class Meta:
        ordering = ["day", "service", "team"]
        verbose_name = _("day released to the waitlist")
        verbose_name_plural = _("days released to the waitlist")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "team", "day"], name="day_release_once_per_service_team_day"
            ),
            models.CheckConstraint(
                condition=models.Q(public_at__gte=models.F("released_at")),
                name="day_release_public_after_release",
            ),
        ]

    def __str__(self):
        return f"{self.service} / {self.team} / {self.day}"
