"""Tables of the domain: services, teams, opening rules, closures, slots, appointments, cases.

Models hold fields, constraints and small derived properties; workflows live in the domain
modules (scheduling, booking, lifecycle).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .names import LETTERS


def _localized(value, translations):
    """The translation for the active language, falling back to German (the stored value)."""
    language = (get_language() or "de").split("-")[0]
    return (translations or {}).get(language) or value


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
    release_time = models.TimeField(_("daily release time"), default=dt.time(7, 0))
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

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


class Counter(models.Model):
    """A Platz: a desk where a resident is served."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="counters")
    number = models.CharField(_("counter"), max_length=10)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["team", "number"]
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [
            models.UniqueConstraint(fields=["team", "number"], name="counter_unique_per_team")
        ]

    def __str__(self):
        return f"{self.team} – {self.number}"


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


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningRule(models.Model):
    """A weekly window in which a team offers services, split into slots of equal length."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="opening_rules")
    services = models.ManyToManyField(Service, related_name="opening_rules")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    slot_minutes = models.PositiveSmallIntegerField(_("slot length in minutes"), default=20)
    capacity = models.PositiveSmallIntegerField(
        _("places per slot"), default=2, help_text=_("Parallel counters serving this window.")
    )
    online_capacity = models.PositiveSmallIntegerField(
        _("of which bookable online"),
        default=1,
        help_text=_("The rest is kept for staff, invitations and follow-up visits."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["team", "weekday", "start_time"]
        verbose_name = _("opening rule")
        verbose_name_plural = _("opening rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="opening_rule_time_ordered"
            ),
            models.CheckConstraint(
                condition=Q(online_capacity__lte=F("capacity")),
                name="opening_rule_online_within_capacity",
            ),
            models.CheckConstraint(condition=Q(slot_minutes__gt=0), name="opening_rule_slot_len"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="opening_rule_validity_ordered",
            ),
        ]

    def __str__(self):
        return (
            f"{self.team}: {self.get_weekday_display()} "
            f"{self.start_time:%H:%M}–{self.end_time:%H:%M}"
        )

    def clean(self):
        errors = {}
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The window must end after it starts.")
        if (
            self.online_capacity is not None
            and self.capacity is not None
            and self.online_capacity > self.capacity
        ):
            errors["online_capacity"] = _("Cannot exceed the places per slot.")
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            errors["valid_until"] = _("Must not be before the start of validity.")
        if self.slot_minutes == 0:
            errors["slot_minutes"] = _("A slot needs at least one minute.")
        if errors:
            raise ValidationError(errors)


class Closure(models.Model):
    """A span without service for one team or (team empty) the whole office."""

    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closures",
        help_text=_("Empty: the whole office is closed."),
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["start"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="closure_time_ordered")
        ]

    def __str__(self):
        return f"{self.reason} ({self.start:%Y-%m-%d})"

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The closure must end after it starts.")})


class Contingent(models.TextChoices):
    ONLINE = "online", _("online")
    INTERNAL = "internal", _("internal")


class Slot(models.Model):
    """One concrete time window of a team with a number of places of one contingent."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="slots")
    rule = models.ForeignKey(
        OpeningRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="slots"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    contingent = models.CharField(_("contingent"), max_length=10, choices=Contingent.choices)
    capacity = models.PositiveSmallIntegerField(_("places"))
    booked = models.PositiveSmallIntegerField(_("taken"), default=0)
    closed = models.BooleanField(_("closed"), default=False)

    class Meta:
        ordering = ["start", "team"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        constraints = [
            models.CheckConstraint(
                condition=Q(booked__gte=0) & Q(booked__lte=F("capacity")),
                name="slot_booked_within_capacity",
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="slot_time_ordered"),
            models.UniqueConstraint(
                fields=["rule", "start", "contingent"], name="slot_unique_per_rule_start"
            ),
        ]
        indexes = [
            models.Index(fields=["team", "contingent", "start"], name="slot_availability_idx"),
            models.Index(fields=["start"], name="slot_start_idx"),
        ]

    def __str__(self):
        local = timezone.localtime(self.start)
        return f"{self.team} {local:%Y-%m-%d %H:%M} ({self.contingent})"

    @property
    def free(self):
        return max(self.capacity - self.booked, 0)


class DelayedRelease(models.Model):
    """A place given up by a cancellation or reschedule that is freed only later (anti-trading).

    Invariant: slot.booked == its place-holding appointments + its delayed releases.
    """

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="delayed_releases")
    release_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("delayed release")
        verbose_name_plural = _("delayed releases")

    def __str__(self):
        return f"{self.slot_id} @ {self.release_at:%Y-%m-%d %H:%M}"


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


class CancellationReason(models.TextChoices):
    RESIDENT = "resident", _("by the resident")
    STAFF = "staff", _("by staff")
    CLOSURE = "closure", _("office closed")


class Appointment(models.Model):
    """One visit of one resident in one slot."""

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)

    # Resident data: only what the visit needs.
    surname = models.CharField(_("surname"), max_length=100)
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
    # Normalised keys for the one-active-per-person constraint and the e-mail limits.
    surname_key = models.CharField(max_length=100, editable=False)
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

    class Meta:
        ordering = ["slot__start"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.UniqueConstraint(
                fields=["surname_key", "date_of_birth", "email_key", "service"],
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


class Event(models.Model):
    """The audit log: every state change, who made it and when (statistics read it too)."""

    action = models.CharField(max_length=60, db_index=True)
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class DailySequence(models.Model):
    """Per team and day, the last waiting number given out (taken with a guarded increment)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)
    walk_ins = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "day"], name="daily_sequence_unique")
        ]

    def __str__(self):
        return f"{self.team_id} {self.day}: {self.last}"


class EmailLock(models.Model):
    """One row per normalised e-mail address, locked to serialise the per-address limits."""

    email_key = models.CharField(max_length=254, unique=True)

    def __str__(self):
        return self.email_key


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class OutboxMessage(models.Model):
    """One message to a resident, written in the transaction of the change that causes it.

    A task delivers it after the commit; the sweeper retries what is due. The idempotency key
    (appointment, kind, occasion) makes every message exist once, however often it is asked for.
    Bodies are emptied once sent: they may contain the secret manage link.
    """

    kind = models.CharField(_("kind"), max_length=30)
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    idempotency_key = models.CharField(max_length=120, unique=True)
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=5)
    subject = models.CharField(_("subject"), max_length=250)
    text_body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.idempotency_key} ({self.status})"


# --- Statistics (built by appointments.statistics; reports read these, never appointments) ---
# Their names stay untranslated: no screen shows these tables, only the reports built on them.


class DailyFigure(models.Model):
    """Attendance figures of one day, team, service and channel: counts and sums only, so
    rates and averages can be re-aggregated over any filter."""

    date = models.DateField()
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=12, choices=Channel.choices)
    # Appointments that were booked (held-and-expired ones never were) and what became of them.
    booked = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0)
    no_show = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    cancelled_by_resident = models.PositiveIntegerField(default=0)
    cancelled_by_staff = models.PositiveIntegerField(default=0)
    cancelled_by_closure = models.PositiveIntegerField(default=0)
    late_cancelled = models.PositiveIntegerField(default=0)
    # Answered the reminder with "I will come", and what those residents then did.
    confirmed = models.PositiveIntegerField(default=0)
    kept_confirmed = models.PositiveIntegerField(default=0)
    no_show_confirmed = models.PositiveIntegerField(default=0)
    waiting_seconds_sum = models.BigIntegerField(default=0)
    waiting_count = models.PositiveIntegerField(default=0)
    processing_seconds_sum = models.BigIntegerField(default=0)
    processing_count = models.PositiveIntegerField(default=0)
    lead_seconds_sum = models.BigIntegerField(default=0)
    lead_count = models.PositiveIntegerField(default=0)
    lead_0_3_kept = models.PositiveIntegerField(default=0)
    lead_0_3_no_show = models.PositiveIntegerField(default=0)
    lead_4_7_kept = models.PositiveIntegerField(default=0)
    lead_4_7_no_show = models.PositiveIntegerField(default=0)
    lead_8_14_kept = models.PositiveIntegerField(default=0)
    lead_8_14_no_show = models.PositiveIntegerField(default=0)
    lead_15_28_kept = models.PositiveIntegerField(default=0)
    lead_15_28_no_show = models.PositiveIntegerField(default=0)
    lead_over_28_kept = models.PositiveIntegerField(default=0)
    lead_over_28_no_show = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "daily figure"
        verbose_name_plural = "daily figures"
        constraints = [
            models.UniqueConstraint(
                fields=["date", "team", "service", "channel"], name="daily_figure_unique"
            )
        ]
        indexes = [
            models.Index(fields=["team", "date"], name="daily_figure_team_idx"),
            models.Index(fields=["service", "date"], name="daily_figure_service_idx"),
            models.Index(fields=["channel", "date"], name="daily_figure_channel_idx"),
        ]

    def __str__(self):
        return f"{self.date} {self.team_id}/{self.service_id}/{self.channel}"


class HourlyFigure(models.Model):
    """The attendance of one hour of the day (by appointment time), for the bars by hour; not
    split by service, which would make it nearly as long as the appointments table."""

    date = models.DateField()
    hour = models.PositiveSmallIntegerField()
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=12, choices=Channel.choices)
    booked = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0)
    no_show = models.PositiveIntegerField(default=0)
    waiting_seconds_sum = models.BigIntegerField(default=0)
    waiting_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "hourly figure"
        verbose_name_plural = "hourly figures"
        constraints = [
            models.UniqueConstraint(
                fields=["date", "hour", "team", "channel"], name="hourly_figure_unique"
            ),
            models.CheckConstraint(condition=Q(hour__lte=23), name="hourly_figure_hour_valid"),
        ]
        indexes = [
            models.Index(fields=["team", "date"], name="hourly_figure_team_idx"),
        ]

    def __str__(self):
        return f"{self.date} {self.hour:02d}h {self.team_id}/{self.channel}"


class DailyCapacity(models.Model):
    """Places a team offered on one day (open slots, by contingent) and how many were taken."""

    date = models.DateField()
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    offered_online = models.PositiveIntegerField(default=0)
    offered_internal = models.PositiveIntegerField(default=0)
    taken_online = models.PositiveIntegerField(default=0)
    taken_internal = models.PositiveIntegerField(default=0)
    # Places of the opening rules that were closed (closures, rule changes).
    closed_places = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "daily capacity"
        verbose_name_plural = "daily capacities"
        constraints = [
            models.UniqueConstraint(fields=["date", "team"], name="daily_capacity_unique")
        ]

    def __str__(self):
        return f"{self.date} {self.team_id}"


class CaseFigure(models.Model):
    """Cases of one service completed on one day and the visits they took."""

    date = models.DateField()
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    completed = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "case figure"
        verbose_name_plural = "case figures"
        constraints = [
            models.UniqueConstraint(fields=["date", "service"], name="case_figure_unique")
        ]

    def __str__(self):
        return f"{self.date} {self.service_id}"


class StatisticsDay(models.Model):
    """One row per day whose figures were built: when, and the lock rebuilds of that day take."""

    date = models.DateField(unique=True)
    rebuilt_at = models.DateTimeField()

    class Meta:
        verbose_name = "statistics day"
        verbose_name_plural = "statistics days"

    def __str__(self):
        return f"{self.date} @ {self.rebuilt_at:%Y-%m-%d %H:%M}"


# --- Proactive invitations (workflows in appointments.invitations) --------------------------


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


class Invitation(models.Model):
    """A resident whose permit expires, invited with an appointment already reserved."""

    batch = models.ForeignKey(InvitationBatch, on_delete=models.CASCADE, related_name="invitations")
    row_number = models.PositiveIntegerField(_("row"))
    file_number = models.CharField(_("file number"), max_length=40)
    surname = models.CharField(_("surname"), max_length=100)
    given_names = models.CharField(_("given names"), max_length=150)
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

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # Re-importing the same export changes nothing.
            models.UniqueConstraint(
                fields=["file_number", "expiry_date"], name="invitation_unique_per_expiry"
            ),
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(postal_address=""), name="invitation_has_contact"
            ),
        ]
        indexes = [
            models.Index(fields=["batch", "state"], name="invitation_batch_state_idx"),
            models.Index(fields=["state", "sent_at"], name="invitation_state_sent_idx"),
        ]

    def __str__(self):
        return f"{self.file_number} ({self.get_state_display()})"
