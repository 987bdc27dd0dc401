"""Group bookings (Party): the persons of one household booked together.

Each person keeps an Appointment (and case) of their own; the party shares the booker's
manage link, QR code, verification and check-in.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PartyMode(models.TextChoices):
    """How a service makes room for a party (Service.party_mode)."""

    NONE = "none", _("no group bookings")
    PLACES = "places", _("one place per person in the same slot")
    CONSECUTIVE = "consecutive", _("consecutive slots, one per person")


class Party(models.Model):
    """The persons of one booking; `lead` is the booker (the first person)."""

    lead = models.OneToOneField(
        "appointments.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    size = models.PositiveSmallIntegerField(_("persons"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("group booking")
        verbose_name_plural = _("group bookings")

    def __str__(self):
        return f"{_('Group booking')} {self.pk}"
