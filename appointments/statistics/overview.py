"""The supervisor's overview: this week, month and year against the previous ones and the
target, Termintreue per week, weekday and hour over 26 weeks and per month over 13 months.

The daily figures are read once for all of it: per day in the chart's weeks, per stretch
between two period or month boundaries before them. Eight queries, whatever the amount of data.
"""

import datetime as dt

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from ..models import CaseFigure, Channel, DailyCapacity, DailyFigure, HourlyFigure, StatisticsDay
from .aggregation import CAPACITY_MEASURES, CASE_MEASURES, HOURLY_MEASURES
from .reports import (
    SUMMARY_MEASURES,
    Live,
    _fold,
    _grouped,
    _monday,
    _per_period,
    _periods,
    _series,
    _weekdays,
    make_filters,
    summarize,
)
from .trend import TREND_MONTHS, _month_starts, month_series

CHART_WEEKS = 26
# What the daily figures add up to once walk-ins are set apart (see _fold).
MEASURES = (*SUMMARY_MEASURES, "walk_ins")


def _buckets(filters, *, today, daily_from, cuts):
    """One query: the daily figures summed per day from `daily_from` on and, before it, per
    stretch between two `cuts`; a bucket is named by its first day and lies wholly inside or
    outside every period that starts and ends (the day before) at a cut. Walk-ins are set
    apart as _fold does it (a flag in the grouping costs less than a FILTER on every sum)."""
    bounds = sorted({cut for cut in cuts if filters.date_from < cut < daily_from})
    starts = [filters.date_from, *bounds]
    bucket = Case(
        When(date__gte=daily_from, then=F("date")),
        *[
            When(date__lt=end, then=Value(start))
            for start, end in zip(starts, [*bounds, daily_from], strict=True)
        ],
        output_field=DateField(),
    )
    walk_in = ExpressionWrapper(Q(channel=Channel.WALK_IN), output_field=BooleanField())
    query = (
        filters.table(DailyFigure, today=today)
        .annotate(bucket=bucket, walk_in=walk_in)
        .values("bucket", "walk_in")
        .annotate(**{name: Sum(name) for name in SUMMARY_MEASURES})
        .order_by()
    )
    rows = [row | {"channel": Channel.WALK_IN if row["walk_in"] else None} for row in query]
    sums = _fold(rows, lambda r: r["bucket"], SUMMARY_MEASURES)
    return [{"bucket": day, **figures} for day, figures in sums.items()]


def _last_rebuild():
    return StatisticsDay.objects.aggregate(at=Max("rebuilt_at"))["at"]


def overview(*, now=None, team=None, service=None, channel=None):
    """This week, month and year against the previous ones and the target, Termintreue per
    week, by weekday and by hour over the last 26 weeks, and the 13-month trend. Eight
    queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    periods = _periods(today)
    chart_from = _monday(today) - dt.timedelta(weeks=CHART_WEEKS - 1)
    months = _month_starts(today, TREND_MONTHS)
    live = Live(now=now, needed=True, measures=SUMMARY_MEASURES)
    everything = make_filters(
        date_from=periods["previous_year"][0],
        date_to=today,
        team=team,
        service=service,
        channel=channel,
    )
    cuts = [
        *months,
        *(s for s, _e in periods.values()),
        *(e + dt.timedelta(1) for _s, e in periods.values()),
    ]
    days = _buckets(everything, today=today, daily_from=chart_from, cuts=cuts)
    today_daily = live.of("daily", everything)
    if today_daily:
        days.append({"bucket": today, **_fold(today_daily, lambda r: None, MEASURES)[None]})

    capacity = _per_period(
        everything.table(DailyCapacity, today=today, dims=("team_id",)), periods, CAPACITY_MEASURES
    )
    cases = _per_period(
        everything.table(CaseFigure, today=today, dims=("service_id",)), periods, CASE_MEASURES
    )
    today_rows = [*live.of("capacity", everything), *live.of("cases", everything)]
    measures = (*MEASURES, *CAPACITY_MEASURES, *CASE_MEASURES)
    result = {"periods": {}}
    for name, (start, end) in periods.items():
        rows = [row for row in days if start <= row["bucket"] <= end]
        rows += [*capacity[name], *cases[name]]
        rows += [row for row in today_rows if start <= row["date"] <= end]
        result["periods"][name] = {
            "start": start,
            "end": end,
            **summarize(_fold(rows, lambda r: None, measures)[None]),
        }
    for name in ("week", "month", "year"):
        now_rate = result["periods"][name]["termintreue"]
        before = result["periods"][f"previous_{name}"]["termintreue"]
        result["periods"][name]["change"] = (
            round(now_rate - before, 1) if None not in (now_rate, before) else None
        )

    recent = [row for row in days if row["bucket"] >= chart_from]
    by_week = _fold(recent, lambda r: _monday(r["bucket"]), MEASURES)
    by_weekday = _fold(recent, lambda r: r["bucket"].isoweekday(), MEASURES)
    # The hours are not split by service, so a service filter does not apply to them.
    chart = make_filters(
        date_from=chart_from, date_to=today, team=team, service=service, channel=channel
    )
    hours = chart.table(HourlyFigure, today=today, dims=("team_id", "channel"))
    hour_rows = _grouped(hours, ("hour", "channel"), HOURLY_MEASURES) + live.of("hourly", chart)
    by_hour = _fold(hour_rows, lambda r: r["hour"], HOURLY_MEASURES)
    by_month = _fold(
        [row for row in days if row["bucket"] >= months[0]],
        lambda r: r["bucket"].replace(day=1),
        MEASURES,
    )
    weeks = [chart_from + dt.timedelta(weeks=n) for n in range(CHART_WEEKS)]
    result.update(
        weekly=_series(by_week, weeks),
        weekday=_series(by_weekday, _weekdays(by_weekday)),
        hour=_series(by_hour, sorted(by_hour)),
        monthly=month_series(by_month, months, today),
        chart_from=chart_from,
        today=today,
        target=settings.STATISTICS_TARGET_PERCENT,
        rebuilt_at=_last_rebuild(),
        # Today's unfiltered daily rows, for a monthly trend of other filters.
        live_daily=live.rows["daily"],
    )
    return result


def _plain(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def overview_figures(*, now=None, team=None, service=None, channel=None):
    """The overview as JSON-ready values (for the staff API): target, periods (this and the
    previous week, month and year), and the weekly, weekday and hour series."""
    report = overview(now=now, team=team, service=service, channel=channel)
    keys = ("target", "today", "rebuilt_at", "periods", "weekly", "weekday", "hour")
    return _plain({key: report[key] for key in keys})
