"""The waitlist ("Terminwunsch"): a resident's wish for a service, and the offers of freed
places made to it (workflows in appointments.waitlist).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .appointments import Appointment
from .capacity import Slot
from .catalogue import Service, Team


class WishState(models.TextChoices):
    PENDING = "pending", _("waiting for e-mail confirmation")
    ACTIVE = "active", _("waiting")
    OFFERED = "offered", _("place offered")
    PAUSED = "paused", _("paused")
    BOOKED = "booked", _("booked")
    WITHDRAWN = "withdrawn", _("withdrawn")
    EXPIRED = "expired", _("expired")


# A wish in these states stands for a person still waiting (one per person, mailbox, service).
OPEN_WISH_STATES = (WishState.PENDING, WishState.ACTIVE, WishState.OFFERED, WishState.PAUSED)
# A wish in these states has ended; its personal data falls under retention.
ENDED_WISH_STATES = (WishState.BOOKED, WishState.WITHDRAWN, WishState.EXPIRED)


class UrgencyReason(models.TextChoices):
    """The fixed list of reasons a resident may give (ranked in this order after the permit
    expiry; see appointments.waitlist.ranking)."""

    NONE = "", _("no particular urgency")
    BENEFITS = "benefits", _("social benefits at risk")
    JOB_START = "job_start", _("start of a new job")
    TRAVEL = "travel", _("travel that cannot be postponed")


class DayPart(models.TextChoices):
    ANY = "", _("any time of day")
    MORNING = "morning", _("mornings (before 12:00)")
    AFTERNOON = "afternoon", _("afternoons (from 12:00)")


class OfferState(models.TextChoices):
    OPEN = "open", _("open")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    EXPIRED = "expired", _("expired")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Wish(models.Model):
    """One resident waiting for a place of one service, with preferences and urgency."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="wishes")
    # The responsible team, decided by surname (and nationality) as for a booking.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="wishes")
    state = models.CharField(
        _("state"), max_length=10, choices=WishState.choices, default=WishState.PENDING
    )
    surname = models.CharField(_("surname"), max_length=100)
    given_names = models.CharField(_("given names"), max_length=150)
    date_of_birth = models.DateField(_("date of birth"))
    nationality = CountryField(_("nationality"), blank=True)
    email = models.EmailField(_("e-mail"))
    language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="de"
    )
    surname_key = models.CharField(max_length=100, editable=False)
    email_key = models.CharField(max_length=254, editable=False)
    # Preferences: weekday digits 0 (Monday) … 4 (Friday), empty for any day.
    weekdays = models.CharField(_("weekdays"), max_length=7, blank=True)
    day_part = models.CharField(
        _("time of day"), max_length=10, choices=DayPart.choices, blank=True, default=""
    )
    earliest_date = models.DateField(_("not before"), null=True, blank=True)
    latest_date = models.DateField(_("not after"), null=True, blank=True)
    # Urgency: the current permit's expiry and one reason of a fixed list.
    permit_expires_on = models.DateField(_("current permit expires"), null=True, blank=True)
    urgency_reason = models.CharField(
        _("urgency"), max_length=10, choices=UrgencyReason.choices, blank=True, default=""
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    registered_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)
    # Ends unless renewed (one click in the reminder mail) before this instant.
    expires_at = models.DateTimeField(_("valid until"))
    renewal_reminded_at = models.DateTimeField(null=True, blank=True)
    expired_offers = models.PositiveSmallIntegerField(_("offers let expire"), default=0)
    # The tie-break lottery: a random seed drawn at confirmation and the ticket derived from it
    # (both logged in the event `wish.active`, so every ranking can be explained afterwards).
    lottery_seed = models.CharField(max_length=32, blank=True, editable=False)
    lottery_ticket = models.BigIntegerField(default=0, editable=False)
    state_changed_at = models.DateTimeField(default=timezone.now)
    pseudonymised_at = models.DateTimeField(_("personal data removed"), null=True, blank=True)

    class Meta:
        ordering = ["registered_at", "pk"]
        verbose_name = _("appointment wish")
        verbose_name_plural = _("appointment wishes")
        constraints = [
            models.UniqueConstraint(
                fields=["surname_key", "date_of_birth", "service"],
                condition=Q(state__in=OPEN_WISH_STATES),
                name="wish_one_open_per_person_and_service",
            ),
            models.UniqueConstraint(
                fields=["email_key", "service"],
                condition=Q(state__in=OPEN_WISH_STATES),
                name="wish_one_open_per_mailbox_and_service",
            ),
        ]
        indexes = [
            models.Index(fields=["service", "team", "state"], name="wish_candidates_idx"),
            models.Index(fields=["state", "expires_at"], name="wish_expiry_idx"),
        ]

    def __str__(self):
        return f"{_('Wish')} {self.pk} ({self.get_state_display()})"

    @property
    def is_open(self):
        return self.state in OPEN_WISH_STATES

    @property
    def resident_name(self):
        if self.pseudonymised_at:
            return gettext("no longer stored")
        return ", ".join(part for part in (self.surname, self.given_names) if part)


class Offer(models.Model):
    """A freed place held for a wish until it is accepted, declined or its window ends."""

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="offers")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="waitlist_offers")
    # The held appointment that occupies the place (status held) until the answer.
    appointment = models.OneToOneField(
        Appointment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="waitlist_offer",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=OfferState.choices, default=OfferState.OPEN
    )
    offered_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("answer by"))
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["offered_at", "pk"]
        verbose_name = _("waitlist offer")
        verbose_name_plural = _("waitlist offers")
        constraints = [
            models.UniqueConstraint(
                fields=["wish"],
                condition=Q(state="open"),
                name="offer_one_open_per_wish",
            ),
        ]
        indexes = [models.Index(fields=["state", "expires_at"], name="offer_expiry_idx")]

    def __str__(self):
        return f"{_('Offer')} {self.pk} ({self.get_state_display()})"
