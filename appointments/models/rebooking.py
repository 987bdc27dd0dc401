"""Personal rebooking links: after the office cancelled an appointment (a closure, a change of
the opening hours) the resident may pick a new time once, from the internal contingent."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .appointments import Appointment


class RebookingOffer(models.Model):
    """One personal link for one cancelled appointment; only the hash of its secret is kept."""

    appointment = models.OneToOneField(
        Appointment, on_delete=models.CASCADE, related_name="rebooking_offer"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    rebooked = models.OneToOneField(
        Appointment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rebooked_from",
    )

    class Meta:
        verbose_name = _("rebooking offer")
        verbose_name_plural = _("rebooking offers")

    def __str__(self):
        return f"{_('Rebooking offer')} {self.pk}"
