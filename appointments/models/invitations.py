"""Proactive invitations: imported batches of residents whose permits expire, each invited with
an appointment already reserved (workflows in appointments.invitations).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .catalogue import Service


class InvitationWindow(models.Model):
    """A service's own target window before a permit expires (else the settings' default)."""

    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, related_name="invitation_window"
    )
    weeks_before_from = models.PositiveSmallIntegerField(_("from … weeks before expiry"))
    weeks_before_until = models.PositiveSmallIntegerField(_("until … weeks before expiry"))

    class Meta:
        verbose_name = _("invitation window")
        verbose_name_plural = _("invitation windows")
        constraints = [
            models.CheckConstraint(
                condition=Q(weeks_before_from__gt=F("weeks_before_until")),
                name="invitation_window_ordered",
            )
        ]

    def __str__(self):
        return f"{self.service}: {self.weeks_before_from}–{self.weeks_before_until}"


class InvitationBatch(models.Model):
    """One imported file of residents whose permits expire, and its allocation progress."""

    source_name = models.CharField(_("file"), max_length=200)
    created_at = models.DateTimeField(_("imported"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rows_in_file = models.PositiveIntegerField(_("rows in the file"), default=0)
    # Rows left out on import (invalid, or imported before): row number, file number, reasons.
    skipped = models.JSONField(_("rows left out"), default=list, blank=True)
    # Chosen at import: a permit expiring before its window gets the earliest free time.
    offer_earliest = models.BooleanField(_("offer the earliest free time"), default=False)
    allocation_requested_at = models.DateTimeField(null=True, blank=True)
    allocation_heartbeat_at = models.DateTimeField(null=True, blank=True)
    allocation_finished_at = models.DateTimeField(null=True, blank=True)
    progress_total = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation batch")
        verbose_name_plural = _("invitation batches")

    def __str__(self):
        return f"{self.source_name} ({self.created_at:%Y-%m-%d})"

    @property
    def allocation_running(self):
        return bool(self.allocation_requested_at) and self.allocation_finished_at is None


class InvitationState(models.TextChoices):
    IMPORTED = "imported", _("imported")
    NO_PLACE = "no_place", _("no place in window")
    FAILED = "failed", _("not allocated")
    ALLOCATED = "allocated", _("allocated")
    SENT = "sent", _("sent")
    CONFIRMED = "confirmed", _("confirmed")
    RESCHEDULED = "rescheduled", _("rescheduled")
    DECLINED = "declined", _("declined")
    NO_ANSWER = "no_answer", _("no answer (reservation kept)")
    RELEASED = "released", _("no answer (released)")
    CANCELLED = "cancelled", _("cancelled by the office")
    KEPT = "kept", _("kept (attended)")
    NO_SHOW = "no_show", _("no-show")


class DeclineReason(models.TextChoices):
    MOVED_AWAY = "moved_away", _("I have moved away from Wiesbaden")
    ALREADY_APPLIED = "already_applied", _("I have already applied")
    OTHER = "other", _("Another reason")


class InvitationDelivery(models.TextChoices):
    EMAIL = "email", _("e-mail")
    LETTER = "letter", _("letter")


class Salutation(models.TextChoices):
    """How a letter addresses the resident (the export's optional column "Anrede")."""

    NONE = "", _("not given")
    MS = "frau", _("Ms")
    MR = "herr", _("Mr")


class Invitation(models.Model):
    """A resident whose permit expires, invited with an appointment already reserved."""

    batch = models.ForeignKey(InvitationBatch, on_delete=models.CASCADE, related_name="invitations")
    row_number = models.PositiveIntegerField(_("row"))
    file_number = models.CharField(_("file number"), max_length=40)
    surname = models.CharField(_("surname"), max_length=100)
    # The passport's Latin spelling of a surname in another script (names.py, rule 4).
    surname_latin = models.CharField(_("surname (Latin spelling)"), max_length=100, blank=True)
    given_names = models.CharField(_("given names"), max_length=150)
    salutation = models.CharField(
        _("salutation"), max_length=4, choices=Salutation.choices, blank=True, default=""
    )
    date_of_birth = models.DateField(_("date of birth"))
    nationality = CountryField(_("nationality"))
    email = models.EmailField(_("e-mail"), blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="de"
    )
    permit_type = models.CharField(_("permit type"), max_length=100, blank=True)
    expiry_date = models.DateField(_("permit expires"))
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=InvitationState.choices,
        default=InvitationState.IMPORTED,
    )
    appointment = models.OneToOneField(
        "Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitation",
    )
    # The target window the appointment was (and may be re-)placed in, in local dates.
    window_first = models.DateField(null=True, blank=True)
    window_last = models.DateField(null=True, blank=True)
    delivery = models.CharField(
        _("sent by"), max_length=6, choices=InvitationDelivery.choices, blank=True
    )
    answer_by = models.DateTimeField(_("answer by"), null=True, blank=True)
    decline_reason = models.CharField(
        _("reason for declining"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    decline_note = models.CharField(_("note"), max_length=300, blank=True)
    problem = models.CharField(_("problem"), max_length=300, blank=True)
    # One timestamp per state (who made each move is in the event log).
    imported_at = models.DateTimeField(default=timezone.now)
    allocated_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    rescheduled_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    no_answer_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    kept_at = models.DateTimeField(null=True, blank=True)
    no_show_at = models.DateTimeField(null=True, blank=True)
    # Set when the campaign's retention period ended and the row's personal data was removed.
    pseudonymised_at = models.DateTimeField(_("personal data removed"), null=True, blank=True)

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # Re-importing the same export changes nothing.
            models.UniqueConstraint(
                fields=["file_number", "expiry_date"], name="invitation_unique_per_expiry"
            ),
            # A pseudonymised row keeps no contact at all.
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(postal_address="") | Q(pseudonymised_at__isnull=False),
                name="invitation_has_contact",
            ),
        ]
        indexes = [
            models.Index(fields=["batch", "state"], name="invitation_batch_state_idx"),
            models.Index(fields=["state", "sent_at"], name="invitation_state_sent_idx"),
        ]

    def __str__(self):
        return f"{self.file_number} ({self.get_state_display()})"

    def greeting(self):
        """The formal salutation by surname, in the active language (DIN 5008 style)."""
        if self.salutation == Salutation.MS:
            return gettext("Dear Ms %(surname)s,") % {"surname": self.surname}
        if self.salutation == Salutation.MR:
            return gettext("Dear Mr %(surname)s,") % {"surname": self.surname}
        name = f"{self.given_names} {self.surname}".strip()
        return gettext("Good day %(name)s,") % {"name": name}

    @property
    def surname_shown(self):
        """The surname with its Latin spelling for staff: "Иванов (Ivanov)"."""
        return f"{self.surname} ({self.surname_latin})" if self.surname_latin else self.surname

    @property
    def routing_surname(self):
        """The spelling whose letter decides the team (names.routing_surname)."""
        return self.surname_latin or self.surname
