"""Report queries: the daily figures of past days plus today's live figures, aggregated by SQL
for any filter. Rates and averages come from summed counts, never from averaged averages.
The overview has a module of its own (overview.py).

Each report runs a fixed number of queries, whatever the range or the amount of data.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, IntegerField, Sum, Value, When
from django.utils import timezone

from ..models import (
    CaseFigure,
    Channel,
    DailyCapacity,
    DailyFigure,
    HourlyFigure,
)
from . import definitions as d
from .aggregation import CAPACITY_MEASURES, CASE_MEASURES, DAILY_MEASURES, HOURLY_MEASURES
from .live import live_rows as _live_rows

# Measures of visits (all channels, walk-ins included); the others are about appointments.
VISIT_MEASURES = (
    "waiting_seconds_sum",
    "waiting_count",
    "processing_seconds_sum",
    "processing_count",
)
SUMMARY_MEASURES = (
    "booked",
    "kept",
    "no_show",
    "cancelled",
    "cancelled_by_resident",
    "cancelled_by_staff",
    "cancelled_by_closure",
    "late_cancelled",
    *VISIT_MEASURES,
    "lead_seconds_sum",
    "lead_count",
)


@dataclass(frozen=True)
class Filters:
    """What a report covers: a date range and optionally one team, service and channel."""

    date_from: dt.date
    date_to: dt.date
    team_id: int | None = None
    service_id: int | None = None
    channel: str | None = None

    def table(self, model, *, today, dims=("team_id", "service_id", "channel")):
        """The rows of `model` (past days only: today is live) that match."""
        rows = model.objects.filter(
            date__gte=self.date_from, date__lte=min(self.date_to, today - dt.timedelta(days=1))
        )
        if self.team_id and "team_id" in dims:
            rows = rows.filter(team_id=self.team_id)
        if self.service_id and "service_id" in dims:
            rows = rows.filter(service_id=self.service_id)
        if self.channel and "channel" in dims:
            rows = rows.filter(channel=self.channel)
        return rows

    def matches(self, row):
        """Whether a live row (a dict) matches; rows without a dimension match on it."""
        return (
            self.date_from <= row["date"] <= self.date_to
            and (not self.team_id or row.get("team_id", self.team_id) == self.team_id)
            and (not self.service_id or row.get("service_id", self.service_id) == self.service_id)
            and (not self.channel or row.get("channel", self.channel) == self.channel)
        )


def _pk(value):
    return getattr(value, "pk", value) or None


def make_filters(*, date_from, date_to, team=None, service=None, channel=None):
    """Filters from dates and a team, service (instances or ids) and channel (all optional)."""
    return Filters(date_from, date_to, _pk(team), _pk(service), channel or None)


class Live:
    """Today's rows, read once per report (three queries), only when today is in range."""

    def __init__(self, *, now, needed, measures=DAILY_MEASURES):
        self.rows = _live_rows(now=now, measures=measures) if needed else {}

    def of(self, kind, filters):
        return [row for row in self.rows.get(kind, ()) if filters.matches(row)]


def _grouped(queryset, dims, measures):
    """One query: sums of `measures` grouped by `dims` (names or name → expression)."""
    if isinstance(dims, dict):
        queryset = queryset.annotate(**dims)
    return list(
        queryset.values(*dims).annotate(**{name: Sum(name) for name in measures}).order_by()
    )


def _fold(rows, key, measures):
    """Sum rows into groups by `key(row)`; a walk-in counts as a visit, not an appointment."""
    groups = defaultdict(lambda: defaultdict(int))
    # A walk-in row adds only its visit measures, and its kept visits as walk-ins.
    visits = [name for name in measures if name in VISIT_MEASURES]
    walk_ins = "kept" in measures
    for row in rows:
        target = groups[key(row)]
        if row.get("channel") == Channel.WALK_IN:
            for name in visits:
                target[name] += row.get(name) or 0
            if walk_ins:
                target["walk_ins"] += row.get("kept") or 0
        else:
            for name in measures:
                target[name] += row.get(name) or 0
    return groups


def percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _average(total, count, unit):
    return round(total / count / unit, 1) if count else None


def summarize(sums):
    """Counts → the figures a report shows (rates in percent, times in minutes, lead in days)."""
    sums = defaultdict(int, sums)
    kept, no_show = sums["kept"], sums["no_show"]
    offered = sums["offered_online"] + sums["offered_internal"]
    return {
        "booked": sums["booked"],
        "kept": kept,
        "no_show": no_show,
        "termintreue": percent(kept, kept + no_show),
        "cancelled": sums["cancelled"],
        "cancelled_by_resident": sums["cancelled_by_resident"],
        "cancelled_by_staff": sums["cancelled_by_staff"],
        "cancelled_by_closure": sums["cancelled_by_closure"],
        "late_cancelled": sums["late_cancelled"],
        "walk_ins": sums["walk_ins"],
        "waiting_minutes": _average(sums["waiting_seconds_sum"], sums["waiting_count"], 60),
        "processing_minutes": _average(
            sums["processing_seconds_sum"], sums["processing_count"], 60
        ),
        "lead_days": _average(sums["lead_seconds_sum"], sums["lead_count"], 86400),
        "offered_online": sums["offered_online"],
        "offered_internal": sums["offered_internal"],
        "offered": offered,
        "taken": sums["taken_online"] + sums["taken_internal"],
        "utilisation": percent(kept, offered),
        "cases_completed": sums["completed"],
        "visits_per_case": _average(sums["visits"], sums["completed"], 1),
    }


def _monday(day):
    return day - dt.timedelta(days=day.weekday())


def _periods(today):
    """This week, month and year to date and the previous ones. The month compares with the
    same days of the previous month (1–17 March with 1–17 February; the 30th with February's
    end), so a month that has just begun is not set against a whole one."""
    week, month, year = _monday(today), today.replace(day=1), today.replace(month=1, day=1)
    previous_month = (month - dt.timedelta(days=1)).replace(day=1)
    same_day = min(today.day, (month - previous_month).days)
    return {
        "week": (week, today),
        "previous_week": (week - dt.timedelta(days=7), week - dt.timedelta(days=1)),
        "month": (month, today),
        "previous_month": (previous_month, previous_month.replace(day=same_day)),
        "year": (year, today),
        "previous_year": (year.replace(year=year.year - 1), year - dt.timedelta(days=1)),
    }


def _per_period(queryset, periods, measures, group=()):
    """One query: sums per segment of the time line cut at every period boundary (a CASE, not a
    filter per period and measure); each period is then the sum of its segments."""
    bounds = sorted(
        {start for start, _end in periods.values()}
        | {end + dt.timedelta(days=1) for _start, end in periods.values()}
    )
    segment = Case(
        *[When(date__lt=bound, then=Value(n)) for n, bound in enumerate(bounds)],
        default=Value(len(bounds)),
        output_field=IntegerField(),
    )
    rows = _grouped(queryset.annotate(segment=segment), ("segment", *group), measures)
    result = {}
    for name, (start, end) in periods.items():
        inside = {
            n
            for n in range(1, len(bounds))
            if bounds[n - 1] >= start and bounds[n] <= end + dt.timedelta(days=1)
        }
        result[name] = [row for row in rows if row["segment"] in inside]
    return result


def _series(groups, keys):
    return [{"key": key, **summarize(groups.get(key, {}))} for key in keys]


def _weekdays(groups):
    """Monday to Friday always; the weekend only when something happened then."""
    return [day for day in range(1, 8) if day <= 5 or day in groups]


def _by_week_weekday_hour(filters, today, live):
    """Termintreue per week, by weekday and by hour (two queries: days, hours). The hours are
    not split by service, so a service filter does not apply to them."""
    days = _grouped(filters.table(DailyFigure, today=today), ("date", "channel"), SUMMARY_MEASURES)
    days += live.of("daily", filters)
    hours = filters.table(HourlyFigure, today=today, dims=("team_id", "channel"))
    hour = _grouped(hours, ("hour", "channel"), HOURLY_MEASURES) + live.of("hourly", filters)
    return (
        _fold(days, lambda r: _monday(r["date"]), SUMMARY_MEASURES),
        _fold(days, lambda r: r["date"].isoweekday(), SUMMARY_MEASURES),
        _fold(hour, lambda r: r["hour"], HOURLY_MEASURES),
    )


def breakdowns(filters, *, now=None):
    """The breakdown page for `filters`: the summary and the figures by channel, lead time,
    reminder confirmation, service, team, week, weekday and hour. Ten queries at most."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    live = Live(now=now, needed=filters.date_from <= today <= filters.date_to)
    today_rows = live.of("daily", filters)
    table = filters.table(DailyFigure, today=today)
    by_channel = _grouped(table, ("channel",), DAILY_MEASURES) + today_rows
    by_service = _grouped(table, ("service_id", "channel"), SUMMARY_MEASURES) + today_rows
    by_team = _grouped(table, ("team_id", "channel"), SUMMARY_MEASURES) + today_rows
    capacity = _grouped(
        filters.table(DailyCapacity, today=today, dims=("team_id",)),
        ("team_id",),
        CAPACITY_MEASURES,
    ) + live.of("capacity", filters)
    cases = _grouped(
        filters.table(CaseFigure, today=today, dims=("service_id",)),
        ("service_id",),
        CASE_MEASURES,
    ) + live.of("cases", filters)
    by_week, by_weekday, by_hour = _by_week_weekday_hour(filters, today, live)

    measures = (*DAILY_MEASURES, *CAPACITY_MEASURES, *CASE_MEASURES)
    total = _fold([*by_channel, *capacity, *cases], lambda r: None, measures)[None]
    per_channel = _fold(by_channel, lambda r: r["channel"], DAILY_MEASURES)
    per_service = _fold([*by_service, *cases], lambda r: r["service_id"], measures)
    per_team = _fold([*by_team, *capacity], lambda r: r["team_id"], measures)
    channels = [c for c in Channel.values if not filters.channel or c == filters.channel]
    return {
        "filters": filters,
        "summary": summarize(total),
        "channel": _series(per_channel, channels),
        "lead": _lead_rows(total),
        "confirmation": _confirmation_rows(total),
        "service": _series(per_service, sorted(per_service)),
        "team": _series(per_team, sorted(per_team)),
        "weekly": _series(by_week, sorted(by_week)),
        "weekday": _series(by_weekday, _weekdays(by_weekday)),
        "hour": _series(by_hour, sorted(by_hour)),
        "target": settings.STATISTICS_TARGET_PERCENT,
    }


def _lead_rows(total):
    rows = []
    for bucket, _first, _last in d.LEAD_BUCKETS:
        kept, no_show = total[f"lead_{bucket}_kept"], total[f"lead_{bucket}_no_show"]
        rows.append(
            {
                "key": bucket,
                "label": d.LeadBucket(bucket).label,
                "kept": kept,
                "no_show": no_show,
                "termintreue": percent(kept, kept + no_show),
            }
        )
    return rows


def _confirmation_rows(total):
    kept_yes, no_show_yes = total["kept_confirmed"], total["no_show_confirmed"]
    kept_no, no_show_no = total["kept"] - kept_yes, total["no_show"] - no_show_yes
    return [
        {
            "key": "confirmed",
            "booked": total["confirmed"],
            "kept": kept_yes,
            "no_show": no_show_yes,
            "termintreue": percent(kept_yes, kept_yes + no_show_yes),
        },
        {
            "key": "not_confirmed",
            "booked": total["booked"] - total["confirmed"],
            "kept": kept_no,
            "no_show": no_show_no,
            "termintreue": percent(kept_no, kept_no + no_show_no),
        },
    ]
