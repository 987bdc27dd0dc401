"""What the office offers: services, teams and which team serves whom (by letter or country)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from ..names import LETTERS
from .parties import PartyMode


def _localized(value, translations):
    """The translation for the active language, falling back to German (the stored value)."""
    language = (get_language() or "de").split("-")[0]
    return (translations or {}).get(language) or value


class ReleaseMode(models.TextChoices):
    """How a newly released day reaches residents (appointments.waitlist.release_modes)."""

    FIRST_COME = "first_come", _("first come, first served")
    ALLOCATION = "allocation", _("allocation: the waitlist first")


def default_release_time():
    """07:00, the release of the next bookable day. A callable: Django's check warns about a
    fixed time default (fields.W161) whenever the clock is within 10 s of it, which failed
    `manage.py check --fail-level WARNING` at 07:00 UTC."""
    return dt.time(7, 0)


class Service(models.Model):
    """An Anliegen: what a visit is for."""

    slug = models.SlugField(_("short name"), unique=True)
    name = models.CharField(_("name (German)"), max_length=200)
    name_translations = models.JSONField(
        _("name in other languages"),
        default=dict,
        blank=True,
        help_text=_('For example {"en": "Extension of a residence permit", "tr": "…"}.'),
    )
    description = models.TextField(_("description (German)"), blank=True)
    description_translations = models.JSONField(
        _("description in other languages"), default=dict, blank=True
    )
    documents = models.JSONField(
        _("document checklist"),
        default=list,
        blank=True,
        help_text=_('A list of items, each {"de": "…", "en": "…", …}.'),
    )
    duration_minutes = models.PositiveSmallIntegerField(_("duration in minutes"), default=20)
    bookable_online = models.BooleanField(_("bookable online"), default=True)
    offline_hint = models.TextField(
        _("what to do instead (German)"),
        blank=True,
        help_text=_("Shown when the service cannot be booked online."),
    )
    offline_hint_translations = models.JSONField(
        _("what to do instead, other languages"), default=dict, blank=True
    )
    needs_follow_up = models.BooleanField(_("usually needs a follow-up visit"), default=False)
    follow_up_service = models.ForeignKey(
        "self",
        verbose_name=_("follow-up service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="preceding_services",
    )
    # Release policy: the day N days ahead becomes bookable at release_time; no online booking
    # closer than booking_window_min_days.
    booking_window_min_days = models.PositiveSmallIntegerField(
        _("book at least … days ahead"), default=1
    )
    booking_window_max_days = models.PositiveSmallIntegerField(
        _("book at most … days ahead"), default=28
    )
    release_time = models.TimeField(_("daily release time"), default=default_release_time)
    # Group bookings (Party): one place per person in one slot, or consecutive slots.
    party_mode = models.CharField(
        _("group bookings"), max_length=12, default=PartyMode.PLACES, choices=PartyMode.choices
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    # Release mode; days released before the last switch keep the mode they were released in.
    release_mode = models.CharField(
        _("release mode"), max_length=12, choices=ReleaseMode.choices, default="first_come"
    )
    release_mode_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Reconfirmation (appointments.reconfirmation): N days before, 0 for none.
    reconfirmation_days = models.PositiveSmallIntegerField(
        _("reconfirmation … days before (0: none)"), default=0
    )

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.CheckConstraint(
                condition=Q(booking_window_min_days__lte=F("booking_window_max_days")),
                name="service_booking_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="service_duration_positive"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def localized_name(self):
        return _localized(self.name, self.name_translations)

    @property
    def localized_description(self):
        return _localized(self.description, self.description_translations)

    @property
    def localized_offline_hint(self):
        return _localized(self.offline_hint, self.offline_hint_translations)

    @property
    def localized_documents(self):
        language = (get_language() or "de").split("-")[0]
        return [item.get(language) or item.get("de", "") for item in self.documents or []]

    def clean(self):
        if self.follow_up_service_id and self.follow_up_service_id == self.pk:
            raise ValidationError({"follow_up_service": _("A service cannot follow itself.")})
        if self.booking_window_min_days > self.booking_window_max_days:
            raise ValidationError(
                {"booking_window_max_days": _("The window must end after it starts.")}
            )
        if not isinstance(self.documents, list) or not all(
            isinstance(item, dict) and item.get("de") for item in self.documents
        ):
            raise ValidationError(
                {"documents": _('Each checklist item needs at least a German text ("de").')}
            )


class Team(models.Model):
    """A Sachgebiet: serves some services for residents in its letter ranges."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    waiting_prefix = models.CharField(
        _("waiting number prefix"),
        max_length=2,
        unique=True,
        help_text=_('Letter(s) in front of waiting numbers, e.g. "B" for B-017.'),
    )
    location = models.CharField(_("location (floor, room)"), max_length=200, blank=True)
    location_translations = models.JSONField(
        _("location in other languages"),
        default=dict,
        blank=True,
        help_text=_(
            'For example {"en": "Building B, 2nd floor, room 204", "ar": "…"}; '
            "a language left out shows the German text."
        ),
    )
    walk_in_daily_limit = models.PositiveSmallIntegerField(
        _("walk-ins per day"),
        default=10,
        help_text=_("Urgent visits without appointment the reception may add per day."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name

    @property
    def localized_location(self):
        """Floor, room and building in the active language, else in German."""
        return _localized(self.location, self.location_translations)

    def clean(self):
        languages = {code for code, _name in settings.LANGUAGES} - {"de"}
        value = self.location_translations
        if not isinstance(value, dict) or any(
            key not in languages or not isinstance(text, str) or len(text) > 200
            for key, text in value.items()
        ):
            raise ValidationError(
                {
                    "location_translations": _(
                        "Give an object of language codes (%(languages)s) and texts of at most "
                        "200 characters."
                    )
                    % {"languages": ", ".join(sorted(languages))}
                }
            )


class ResponsibilityRule(models.Model):
    """Which team serves a service for a surname letter range or for some nationalities.

    Nationality rules win over letter ranges; letter ranges of a service must cover A–Z once.
    """

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="responsibility_rules"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="responsibility_rules")
    letter_from = models.CharField(
        _("surname from letter"),
        max_length=1,
        blank=True,
        choices=[(letter, letter) for letter in LETTERS],
    )
    letter_to = models.CharField(
        _("surname to letter"),
        max_length=1,
        blank=True,
        choices=[(letter, letter) for letter in LETTERS],
    )
    nationalities = CountryField(_("nationalities"), multiple=True, blank=True)

    class Meta:
        ordering = ["service", "letter_from"]
        verbose_name = _("responsibility rule")
        verbose_name_plural = _("responsibility rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(letter_from="", letter_to="")
                | (~Q(letter_from="") & ~Q(letter_to="") & Q(letter_from__lte=F("letter_to"))),
                name="responsibility_letter_range_ordered",
            ),
        ]

    def __str__(self):
        if self.letter_from:
            return f"{self.service}: {self.letter_from}–{self.letter_to} → {self.team}"
        codes = ", ".join(str(code) for code in self.nationalities)
        return f"{self.service}: {codes} → {self.team}"

    @property
    def is_letter_range(self):
        return bool(self.letter_from)

    def clean(self):
        has_range = bool(self.letter_from or self.letter_to)
        if has_range and not (self.letter_from and self.letter_to):
            raise ValidationError(_("Give both the first and the last letter of the range."))
        if has_range and self.letter_from > self.letter_to:
            raise ValidationError(_("The first letter must not come after the last letter."))
        if has_range == bool(self.nationalities):
            raise ValidationError(
                _("A rule needs either a letter range or a list of nationalities, not both.")
            )
