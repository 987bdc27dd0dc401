"""Statistics tables, built by appointments.statistics; reports read these, never appointments.

Their names stay untranslated: no screen shows these tables, only the reports built on them.
"""

from django.db import models
from django.db.models import Q

from .appointments import Channel
from .catalogue import Service, Team


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
