"""Capacity: counters, weekly opening rules, closures, the slots built from them and places
whose release is delayed.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .catalogue import Service, Team


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


class AvailabilityVersion(models.Model):
    """The version of a team's free times: bumped by database triggers (migration 0018) in the
    transaction of every write to the team's slots, opening rules (and their services) and
    closures, so a cached availability answer keyed with it is never served after a commit
    that changed it (appointments/availability_cache.py). The triggers cover every path that
    takes or frees a place (booking, holds, cancel, expire, release, capacity, closures, the
    admin) without any of them having to remember it."""

    team = models.OneToOneField(
        Team, primary_key=True, on_delete=models.CASCADE, related_name="availability_version"
    )
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("availability version")
        verbose_name_plural = _("availability versions")

    def __str__(self):
        return f"{self.team_id}: {self.version}"
