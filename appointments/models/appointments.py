"""Appointments and cases, with their statuses and channels, plus the rows that serialise
waiting numbers and per-address booking limits.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .capacity import Counter, Slot
from .catalogue import Service, Team


class Case(models.Model):
    """A Vorgang: the visits that belong to one matter (apply, then pick up the card)."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="cases")
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self):
        return f"{_('Case')} {self.pk}"

    @property
    def is_complete(self):
        return self.completed_at is not None


class Outcome(models.TextChoices):
    APPLICATION_FILED = "application_filed", _("application filed")
    TITLE_ISSUED = "title_issued", _("residence title handed over")
    DOCUMENTS_MISSING = "documents_missing", _("documents missing")
    OTHER = "other", _("other")


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    INVITATION = "invitation", _("invitation")
    STAFF = "staff", _("staff")
    WALK_IN = "walk_in", _("walk-in")
    FOLLOW_UP = "follow_up", _("follow-up")
    REBOOKING = "rebooking", _("rebooking offered by the office")


class Status(models.TextChoices):
    HELD = "held", _("held (not yet confirmed)")
    BOOKED = "booked", _("booked")
    CHECKED_IN = "checked_in", _("checked in")
    CALLED = "called", _("called")
    IN_SERVICE = "in_service", _("in service")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")
    EXPIRED = "expired", _("expired")
    NO_SHOW = "no_show", _("no-show")


# Statuses in which an appointment still stands for a future or ongoing visit.
ACTIVE_STATUSES = (Status.HELD, Status.BOOKED, Status.CHECKED_IN, Status.CALLED, Status.IN_SERVICE)
# Statuses in which an appointment occupies its place in the slot.
PLACE_HOLDING_STATUSES = (*ACTIVE_STATUSES, Status.COMPLETED, Status.NO_SHOW)


class Priority(models.IntegerChoices):
    """The levels of the queue (README, staff section "Queue order")."""

    APPOINTMENT = 0, _("appointment")
    WALK_IN = 1, _("walk-in")
    EMERGENCY = 2, _("emergency")


class CancellationReason(models.TextChoices):
    RESIDENT = "resident", _("by the resident")
    STAFF = "staff", _("by staff")
    CLOSURE = "closure", _("office closed")
    HOURS = "hours", _("opening hours changed")
    UNCONFIRMED = "reconfirm", _("not reconfirmed in time")


class Appointment(models.Model):
    """One visit of one resident in one slot."""

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.APPOINTMENT
    )

    # Resident data: only what the visit needs.
    surname = models.CharField(_("surname"), max_length=100)
    # The passport's Latin spelling of a surname in another script (names.py, rule 4).
    surname_latin = models.CharField(_("surname (Latin spelling)"), max_length=100, blank=True)
    given_names = models.CharField(_("given names"), max_length=150)
    date_of_birth = models.DateField(_("date of birth"))
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    nationality = CountryField(_("nationality"))
    language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="de"
    )
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    interpreter_language = models.CharField(_("interpreter language"), max_length=50, blank=True)
    # Needs stated up front (shown to reception and caseworkers, counted in the reports).
    needs_wheelchair = models.BooleanField(_("wheelchair access"), default=False)
    needs_sign_language = models.BooleanField(_("sign-language interpreter"), default=False)
    needs_companion = models.BooleanField(_("accompanying person"), default=False)
    needs_note = models.CharField(_("note on needs"), max_length=300, blank=True)
    # A group booking: the persons of one household share manage link, QR and check-in.
    party = models.ForeignKey(
        "appointments.Party",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    # Normalised keys for the one-active-per-person constraint and the e-mail limits.
    surname_key = models.CharField(max_length=100, editable=False)
    given_names_key = models.CharField(max_length=150, editable=False, blank=True)
    email_key = models.CharField(max_length=254, editable=False, blank=True)

    code = models.CharField(_("booking code"), max_length=8, unique=True)
    token_hash = models.CharField(max_length=64, editable=False)

    cancellation_reason = models.CharField(
        _("cancellation reason"), max_length=10, choices=CancellationReason.choices, blank=True
    )
    hold_expires_at = models.DateTimeField(_("hold expires"), null=True, blank=True)
    # One timestamp per status; who made each move is in the event log.
    held_at = models.DateTimeField(null=True, blank=True)
    booked_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    called_at = models.DateTimeField(null=True, blank=True)
    in_service_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    no_show_at = models.DateTimeField(null=True, blank=True)
    # The visit in the office (set by reception and caseworkers).
    queue_team = models.ForeignKey(
        Team,
        verbose_name=_("queue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="queue",
        help_text=_("The team whose queue the resident waits in."),
    )
    waiting_number = models.CharField(_("waiting number"), max_length=10, blank=True)
    arrived_late = models.BooleanField(_("arrived late"), default=False)
    call_count = models.PositiveSmallIntegerField(_("calls"), default=0)
    first_called_at = models.DateTimeField(null=True, blank=True)
    parked_at = models.DateTimeField(_("parked"), null=True, blank=True)
    counter = models.ForeignKey(
        Counter,
        verbose_name=_("counter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    internal_note = models.CharField(_("internal note"), max_length=500, blank=True)
    # The resident answered the reminder with "I will come" (counted apart in statistics).
    attendance_confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set when the retention period ended and the resident's data was removed
    # (appointments.retention): the row keeps only what the statistics need.
    pseudonymised_at = models.DateTimeField(_("personal data removed"), null=True, blank=True)

    class Meta:
        ordering = ["slot__start"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.UniqueConstraint(
                fields=["surname_key", "given_names_key", "date_of_birth", "email_key", "service"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="appointment_one_active_per_person_and_service",
            ),
        ]
        indexes = [
            models.Index(fields=["queue_team", "status"], name="appointment_queue_idx"),
            models.Index(fields=["status", "hold_expires_at"], name="appointment_hold_idx"),
            models.Index(fields=["email_key", "status"], name="appointment_email_idx"),
            models.Index(fields=["surname_key", "date_of_birth"], name="appointment_person_idx"),
        ]

    def __str__(self):
        return self.code

    @property
    def is_active(self):
        return self.status in ACTIVE_STATUSES

    @property
    def has_needs(self):
        return bool(
            self.interpreter_needed
            or self.needs_wheelchair
            or self.needs_sign_language
            or self.needs_companion
            or self.needs_note
        )

    @property
    def is_pseudonymised(self):
        return self.pseudonymised_at is not None

    @property
    def resident_name(self):
        """ "Surname, given names" for the staff screens, or "no longer stored" once the
        personal data were removed (retention or the resident's request)."""
        if self.is_pseudonymised:
            return gettext("no longer stored")
        return ", ".join(part for part in (self.surname_shown, self.given_names) if part)

    @property
    def surname_shown(self):
        """The surname with its Latin spelling for staff: "Иванов (Ivanov)"."""
        return f"{self.surname} ({self.surname_latin})" if self.surname_latin else self.surname

    @property
    def routing_surname(self):
        """The spelling whose letter decides the team (names.routing_surname)."""
        return self.surname_latin or self.surname


class DailySequence(models.Model):
    """Per team and day, the last waiting number given out (taken with a guarded increment)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)
    walk_ins = models.PositiveSmallIntegerField(default=0)
    # "Next" calls of appointments since the last walk-in was called (the interleaving policy).
    appointment_calls_in_row = models.PositiveSmallIntegerField(default=0)
    # Bumped with every change to an appointment of the team's day (appointments/board_version.py):
    # the queue board answers 304 while it stays the same.
    board_version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "day"], name="daily_sequence_unique")
        ]

    def __str__(self):
        return f"{self.team_id} {self.day}: {self.last}"


class CounterChoice(models.Model):
    """The counter a caseworker works at today in a team: chosen once, used by every call of
    the day (it survives logging out, unlike the session)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    counter = models.ForeignKey(Counter, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day", "team"], name="counter_choice_unique")
        ]

    def __str__(self):
        return f"{self.user_id} {self.day}: {self.counter_id}"


class EmailLock(models.Model):
    """One row per normalised e-mail address, locked to serialise the per-address limits."""

    email_key = models.CharField(max_length=254, unique=True)

    def __str__(self):
        return self.email_key
