"""The monthly trend: the figures of the last 13 months (this month to date), summed from the
daily figures by SQL plus today's live figures. Two queries, whatever the amount of data."""

import datetime as dt

from django.db.models.functions import TruncMonth
from django.utils import timezone

from ..models import DailyFigure
from .aggregation import appointment_rows, day_start
from .reports import SUMMARY_MEASURES, _fold, _grouped, _series, make_filters

TREND_MONTHS = 13


def _month_starts(today, count):
    """The first days of the `count` months up to and including today's, oldest first."""
    starts, month = [], today.replace(day=1)
    for _n in range(count):
        starts.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return starts[::-1]


def _first_of_month(value):
    # TruncMonth of a date column is a date on PostgreSQL, a datetime on some backends.
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.replace(day=1)


def monthly_trend(
    *, now=None, team=None, service=None, channel=None, months=TREND_MONTHS, live_daily=None
):
    """Termintreue and the attendance figures per calendar month over the last `months`
    months, the current month up to today (today's figures live). Two queries; one when
    today's daily rows were already read (`live_daily`, e.g. the overview's)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    starts = _month_starts(today, months)
    filters = make_filters(
        date_from=starts[0], date_to=today, team=team, service=service, channel=channel
    )
    rows = _grouped(
        filters.table(DailyFigure, today=today).annotate(month=TruncMonth("date")),
        ("month", "channel"),
        SUMMARY_MEASURES,
    )
    live = live_daily
    if live is None:
        live = appointment_rows(
            day_start(today),
            day_start(today + dt.timedelta(days=1)),
            now=now,
            measures=SUMMARY_MEASURES,
        )
    rows += [row | {"month": row["date"]} for row in live if filters.matches(row)]
    groups = _fold(rows, lambda r: _first_of_month(r["month"]), SUMMARY_MEASURES)
    return month_series(groups, starts, today)


def month_series(groups, starts, today):
    """The series of the months starting on `starts` from sums per month; the last one runs
    until today."""
    series = _series(groups, starts)
    for row in series:
        row["until"] = today if row["key"] == starts[-1] else None
    return series
