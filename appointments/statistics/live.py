"""Today's figures computed live from the appointments, slots and cases (the reports add them
to the daily figures the rebuild wrote up to yesterday)."""

import datetime as dt

from django.db.models import F
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from . import definitions as d
from .aggregation import (
    DAILY_MEASURES,
    HOURLY_MEASURES,
    WholeSeconds,
    _appointment_measures,
    _booked,
    capacity_rows,
    case_rows,
    day_start,
)


def _live_appointment_rows(start, end, *, now, measures):
    """One query for what appointment_rows and hourly_rows return: the appointments grouped by
    hour as well as by team, service and channel, durations summed exactly. The two kinds of
    rows are summed from its rows here and each sum of durations rounded to whole seconds
    (half to even, as WholeSeconds in SQL), so both equal those of the two queries."""
    tz = d.office_tz()
    names = [name for name in DAILY_MEASURES if name in measures or name in HOURLY_MEASURES]
    aggregates = _appointment_measures(now=now)
    exact = {}
    for name in names:
        aggregate = aggregates[name]
        # WholeSeconds(Sum(duration)) → Sum(duration): a timedelta, rounded once summed.
        exact[name] = (
            aggregate.source_expressions[0] if isinstance(aggregate, WholeSeconds) else aggregate
        )
    seconds = {name for name in names if isinstance(aggregates[name], WholeSeconds)}
    query = (
        _booked(start, end)
        .alias(waiting=d.waiting_duration(), processing=d.processing_duration())
        .alias(lead=d.lead_duration())
        .values(
            date=TruncDate("slot__start", tzinfo=tz),
            hour=ExtractHour("slot__start", tzinfo=tz),
            team_id=F("slot__team_id"),
            service_id_=F("service_id"),
            channel_=F("channel"),
        )
        .annotate(**exact)
        .order_by()
    )
    zero = {name: dt.timedelta(0) if name in seconds else 0 for name in names}
    kinds = (
        ([n for n in names if n in measures], ("date", "team_id", "service_id_", "channel_")),
        (list(HOURLY_MEASURES), ("date", "hour", "team_id", "channel_")),
    )
    groups = ({}, {})
    for row in query:
        for (kind_names, dims), group in zip(kinds, groups, strict=True):
            key = tuple(row[dim] for dim in dims)
            target = group.get(key)
            if target is None:
                target = group[key] = {name: zero[name] for name in kind_names}
            for name in kind_names:
                target[name] += row[name] or zero[name]
    result = []
    for (kind_names, dims), group in zip(kinds, groups, strict=True):
        rows = []
        for key, sums in group.items():
            for name in seconds.intersection(kind_names):
                sums[name] = round(sums[name].total_seconds())
            rows.append(
                {dim.rstrip("_"): value for dim, value in zip(dims, key, strict=True)} | sums
            )
        result.append(rows)
    return result


def live_rows(*, now, measures=DAILY_MEASURES):
    """Today's figures straight from the appointments, slots and cases (three queries: the
    appointments are read once for the daily and the hourly rows)."""
    today = timezone.localdate(now)
    start, end = day_start(today), day_start(today + dt.timedelta(days=1))
    daily, hourly = _live_appointment_rows(start, end, now=now, measures=measures)
    return {
        "daily": daily,
        "hourly": hourly,
        "capacity": capacity_rows(start, end),
        "cases": case_rows(start, end),
    }
