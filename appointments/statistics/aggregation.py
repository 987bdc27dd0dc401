"""Appointments → daily figures, by SQL aggregation: the rebuild (idempotent, safe when run twice
or concurrently: each chunk of days is locked, deleted and inserted in one transaction), the
nightly pick of days to rebuild (today's figures computed live: live.py).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import BigIntegerField, Count, F, Func, Max, Q, Sum
from django.db.models.functions import Coalesce, ExtractHour, TruncDate
from django.utils import timezone

from ..audit import log_event
from ..availability import local_datetime
from ..models import (
    Appointment,
    Case,
    CaseFigure,
    Contingent,
    DailyCapacity,
    DailyFigure,
    Event,
    HourlyFigure,
    Slot,
    StatisticsDay,
)
from . import definitions as d

DAILY_MEASURES = tuple(
    f.name
    for f in DailyFigure._meta.concrete_fields
    if f.name not in ("id", "date", "team", "service", "channel")
)
HOURLY_MEASURES = ("booked", "kept", "no_show", "waiting_seconds_sum", "waiting_count")
CAPACITY_MEASURES = (
    "offered_online",
    "offered_internal",
    "taken_online",
    "taken_internal",
    "closed_places",
)
CASE_MEASURES = ("completed", "visits")
# Days rebuilt in one transaction: a year, so a full rebuild reads the appointment table only
# a few times; the nightly rebuild of a day or two holds its locks for a moment.
CHUNK_DAYS = 366
# A rebuild of this many days or more vacuums the figure tables afterwards (PostgreSQL).
VACUUM_AFTER_DAYS = 28
NIGHTLY_ACTION = "statistics.nightly_rebuild"
# On the very first nightly run, look this far back for late changes.
FIRST_RUN_LOOKBACK_DAYS = 35


def day_start(day):
    return local_datetime(day, dt.time.min)


def _days(first, last):
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


class WholeSeconds(Func):
    """A summed duration in whole seconds, 0 when there was none; ties round to even, exactly as
    Python's round(timedelta.total_seconds()) did when the rows still went through Python."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        # round(double precision) is rint(): half to even.
        return f"COALESCE(ROUND(EXTRACT(EPOCH FROM {sql})::double precision), 0)::bigint", params

    def as_sqlite(self, compiler, connection, **extra_context):
        # Durations are integer microseconds here: round half to even in integer arithmetic
        # (integer division and % truncate towards zero).
        sql, params = compiler.compile(self.source_expressions[0])
        x = "\0"  # stands for the sum until the template is complete
        q, r = f"({x} / 1000000)", f"({x} %% 1000000)"  # %% is SQL's % after the parameters
        up = f"({r} > 500000 OR ({r} = 500000 AND {q} %% 2 = 1))"
        down = f"({r} < -500000 OR ({r} = -500000 AND {q} %% 2 != 0))"
        template = f"COALESCE(CASE WHEN {x} >= 0 THEN {q} + {up} ELSE {q} - {down} END, 0)"
        return template.replace(x, f"({sql})"), params * template.count(x)


def _appointment_measures(*, now):
    """The conditional aggregates of DAILY_MEASURES (sums of durations in whole seconds)."""
    kept, no_show, cancelled = d.kept(), d.no_show(now=now), d.cancelled()
    measures = {
        "booked": Count("pk"),
        "kept": Count("pk", filter=kept),
        "no_show": Count("pk", filter=no_show),
        "cancelled": Count("pk", filter=cancelled),
        "cancelled_by_resident": Count("pk", filter=cancelled & Q(cancellation_reason="resident")),
        "cancelled_by_staff": Count("pk", filter=cancelled & Q(cancellation_reason="staff")),
        "cancelled_by_closure": Count("pk", filter=cancelled & Q(cancellation_reason="closure")),
        "late_cancelled": Count("pk", filter=d.late_cancelled()),
        "confirmed": Count("pk", filter=d.confirmed()),
        "kept_confirmed": Count("pk", filter=d.confirmed() & kept),
        "no_show_confirmed": Count("pk", filter=d.confirmed() & no_show),
        "waiting_seconds_sum": WholeSeconds(Sum("waiting", filter=d.has_waiting())),
        "waiting_count": Count("pk", filter=d.has_waiting()),
        "processing_seconds_sum": WholeSeconds(Sum("processing", filter=d.has_processing())),
        "processing_count": Count("pk", filter=d.has_processing()),
        "lead_seconds_sum": WholeSeconds(Sum("lead", filter=d.has_lead())),
        "lead_count": Count("pk", filter=d.has_lead()),
    }
    for bucket, first, last in d.LEAD_BUCKETS:
        in_bucket = d.in_lead_bucket(first, last)
        measures[f"lead_{bucket}_kept"] = Count("pk", filter=in_bucket & kept)
        measures[f"lead_{bucket}_no_show"] = Count("pk", filter=in_bucket & no_show)
    return measures


def _booked(start, end):
    """Appointments booked for a slot starting in [start, end)."""
    return Appointment.objects.filter(d.was_booked(), slot__start__gte=start, slot__start__lt=end)


# Each grouped query below is a values() queryset; these map a figure table's columns to the
# query's names (a values() name may not repeat a field of the queried model).
DAILY_COLUMNS = {
    "date": "date",
    "team_id": "team_id",
    "service_id": "service_id_",
    "channel": "channel_",
    **{name: name for name in DAILY_MEASURES},
}
HOURLY_COLUMNS = {
    "date": "date",
    "hour": "hour",
    "team_id": "team_id",
    "channel": "channel_",
    **{name: name for name in HOURLY_MEASURES},
}
CAPACITY_COLUMNS = {"date": "date", "team_id": "team_id_", **{n: n for n in CAPACITY_MEASURES}}
CASE_COLUMNS = {"date": "date", "service_id": "service_id_", **{n: n for n in CASE_MEASURES}}


def _appointment_query(start, end, *, now, measures=DAILY_MEASURES):
    tz = d.office_tz()
    return (
        _booked(start, end)
        .alias(waiting=d.waiting_duration(), processing=d.processing_duration())
        .alias(lead=d.lead_duration())
        .values(
            date=TruncDate("slot__start", tzinfo=tz),
            team_id=F("slot__team_id"),
            service_id_=F("service_id"),
            channel_=F("channel"),
        )
        .annotate(**{k: v for k, v in _appointment_measures(now=now).items() if k in measures})
        .order_by()
    )


def _hourly_query(start, end, *, now):
    tz = d.office_tz()
    kept, no_show = d.kept(), d.no_show(now=now)
    return (
        _booked(start, end)
        .alias(waiting=d.waiting_duration())
        .values(
            date=TruncDate("slot__start", tzinfo=tz),
            hour=ExtractHour("slot__start", tzinfo=tz),
            team_id=F("slot__team_id"),
            channel_=F("channel"),
        )
        .annotate(
            booked=Count("pk"),
            kept=Count("pk", filter=kept),
            no_show=Count("pk", filter=no_show),
            waiting_seconds_sum=WholeSeconds(Sum("waiting", filter=d.has_waiting())),
            waiting_count=Count("pk", filter=d.has_waiting()),
        )
        .order_by()
    )


def _capacity_query(start, end):
    tz = d.office_tz()
    open_ = Q(closed=False)

    def places(field, condition):
        return Coalesce(Sum(field, filter=condition), 0)

    return (
        Slot.objects.filter(start__gte=start, start__lt=end)
        .values(date=TruncDate("start", tzinfo=tz), team_id_=F("team_id"))
        .annotate(
            offered_online=places("capacity", open_ & Q(contingent=Contingent.ONLINE)),
            offered_internal=places("capacity", open_ & Q(contingent=Contingent.INTERNAL)),
            taken_online=places("booked", open_ & Q(contingent=Contingent.ONLINE)),
            taken_internal=places("booked", open_ & Q(contingent=Contingent.INTERNAL)),
            # Walk-ins get closed one-place slots without a rule: those were never offered.
            closed_places=places("capacity", Q(closed=True, rule__isnull=False)),
        )
        .order_by()
    )


def _case_query(start, end):
    return (
        Case.objects.filter(completed_at__gte=start, completed_at__lt=end)
        .values(date=TruncDate("completed_at", tzinfo=d.office_tz()), service_id_=F("service_id"))
        .annotate(
            completed=Count("pk", distinct=True),
            visits=Count("appointments", filter=Q(appointments__status__in=d.KEPT_STATUSES)),
        )
        .order_by()
    )


def _as_rows(query, columns):
    """The query's rows as dicts keyed like the figure table's columns."""
    return [{column: row[name] for column, name in columns.items() if name in row} for row in query]


def appointment_rows(start, end, *, now, measures=DAILY_MEASURES):
    """One query: the figures (all, or the named `measures`) of the appointments whose slot
    starts in [start, end), per date, team, service and channel (a dict per group)."""
    return _as_rows(_appointment_query(start, end, now=now, measures=measures), DAILY_COLUMNS)


def hourly_rows(start, end, *, now):
    """One query: attendance by hour of the appointment, per date, team and channel."""
    return _as_rows(_hourly_query(start, end, now=now), HOURLY_COLUMNS)


def capacity_rows(start, end):
    """One query: places of the slots starting in [start, end), per date and team."""
    return _as_rows(_capacity_query(start, end), CAPACITY_COLUMNS)


def case_rows(start, end):
    """One query: cases completed in [start, end) per date and service, with their visits."""
    return _as_rows(_case_query(start, end), CASE_COLUMNS)


@dataclass
class RebuildResult:
    days: list = field(default_factory=list)
    figures: int = 0

    def as_dict(self):
        return {"days": [day.isoformat() for day in self.days], "figures": self.figures}


def _insert_from(model, query, columns):
    """INSERT … SELECT: the grouped rows go from the query into the figure table inside the
    database; fetching them into Python and writing them back cost more than the aggregation.
    Returns the number of rows written."""
    ops = connection.ops
    sql, params = query.query.get_compiler(connection=connection).as_sql()
    names = ", ".join(ops.quote_name(model._meta.get_field(c).column) for c in columns)
    aliases = ", ".join(ops.quote_name(name) for name in columns.values())
    table = ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {aliases} FROM ({sql}) figures",  # noqa: S608
            params,
        )
        return cursor.rowcount


@transaction.atomic
def _rebuild_chunk(first, last, *, now):
    """The figures of the consecutive days `first` to `last`: a fixed number of statements,
    whatever the number of days or appointments. Returns the number of daily figure rows."""
    # The upsert of the days' rows locks them (in date order, so overlapping concurrent
    # rebuilds queue up instead of deadlocking); the second rebuild then repeats the work on
    # committed data and writes the same rows.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # One-off aggregations over many rows: compiling them (JIT) costs more than it saves,
            # and their sorts should stay in memory.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
    StatisticsDay.objects.bulk_create(
        [StatisticsDay(date=day, rebuilt_at=now) for day in _days(first, last)],
        update_conflicts=True,
        unique_fields=["date"],
        update_fields=["rebuilt_at"],
    )
    start, end = day_start(first), day_start(last + dt.timedelta(days=1))
    for model in (HourlyFigure, DailyFigure, DailyCapacity, CaseFigure):
        model.objects.filter(date__gte=first, date__lte=last).delete()
    figures = _insert_from(DailyFigure, _appointment_query(start, end, now=now), DAILY_COLUMNS)
    _insert_from(HourlyFigure, _hourly_query(start, end, now=now), HOURLY_COLUMNS)
    _insert_from(DailyCapacity, _capacity_query(start, end), CAPACITY_COLUMNS)
    _insert_from(CaseFigure, _case_query(start, end), CASE_COLUMNS)
    return figures


def _vacuum_figures():
    """Every rebuilt row leaves a dead version behind, so a long rebuild doubles the figure
    tables the reports scan; clean them (and refresh the planner's statistics) at once rather
    than whenever autovacuum, if it runs at all, gets to them. Not possible in a transaction."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    models = (DailyFigure, HourlyFigure, DailyCapacity, CaseFigure, StatisticsDay)
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")


def rebuild(*, date_from=None, date_to=None, days=None, now=None, progress=None):
    """Rebuild the figures of the days from `date_from` to `date_to` (or the given `days`);
    only past days are built: today's figures are live. Returns what was rebuilt."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    wanted = set(days or ()) | (set(_days(date_from, date_to)) if date_from and date_to else set())
    wanted = sorted(day for day in wanted if day < today)
    result = RebuildResult(days=wanted)
    chunk = []
    for day in wanted:
        # A chunk is a run of consecutive days, at most CHUNK_DAYS long.
        if chunk and ((day - chunk[-1]).days > 1 or len(chunk) >= CHUNK_DAYS):
            result.figures += _rebuild_chunk(chunk[0], chunk[-1], now=now)
            if progress:
                progress(len(chunk))
            chunk = []
        chunk.append(day)
    if chunk:
        result.figures += _rebuild_chunk(chunk[0], chunk[-1], now=now)
        if progress:
            progress(len(chunk))
    if len(wanted) >= VACUUM_AFTER_DAYS:
        _vacuum_figures()
    return result


def changed_days(*, since, now):
    """Past days whose appointments (or cases) changed after `since` and after the day's last
    rebuild: an arrival recorded late, a correction, a case completed."""
    tz = d.office_tz()
    today = timezone.localdate(now)
    latest = {}
    events = (
        Event.objects.filter(at__gte=since, appointment__isnull=False)
        .values(day=TruncDate("appointment__slot__start", tzinfo=tz))
        .annotate(last=Max("at"))
        .order_by()
    )
    cases = (
        Case.objects.filter(completed_at__gte=since)
        .values(day=TruncDate("completed_at", tzinfo=tz))
        .annotate(last=Max("completed_at"))
        .order_by()
    )
    for row in [*events, *cases]:
        if row["day"] < today:
            latest[row["day"]] = max(row["last"], latest.get(row["day"], row["last"]))
    built = dict(
        StatisticsDay.objects.filter(date__in=list(latest)).values_list("date", "rebuilt_at")
    )
    return sorted(day for day, last in latest.items() if day not in built or last > built[day])


def rebuild_nightly(*, now=None):
    """Rebuild yesterday and every past day changed since the last nightly run; log the run."""
    now = now or timezone.now()
    previous = (
        Event.objects.filter(action=NIGHTLY_ACTION).order_by("-at").values_list("at", flat=True)
    ).first()
    since = previous or now - dt.timedelta(days=FIRST_RUN_LOOKBACK_DAYS)
    yesterday = timezone.localdate(now) - dt.timedelta(days=1)
    days = {yesterday, *changed_days(since=since, now=now)}
    result = rebuild(days=days, now=now)
    log_event(action=NIGHTLY_ACTION, at=now, **result.as_dict())
    return result.as_dict()
