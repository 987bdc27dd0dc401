"""Appointments → daily figures, by SQL aggregation: the rebuild (idempotent, safe when run twice
or concurrently: each chunk of days is locked, deleted and inserted in one transaction), the
nightly pick of days to rebuild, and today's figures computed live.
"""

import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import ExtractHour, TruncDate
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
DURATIONS = ("waiting_seconds_sum", "processing_seconds_sum", "lead_seconds_sum")
# Days rebuilt in one transaction: a year, so a full rebuild reads the appointment table only
# a few times; the nightly rebuild of a day or two holds its locks for a moment.
CHUNK_DAYS = 366
NIGHTLY_ACTION = "statistics.nightly_rebuild"
# On the very first nightly run, look this far back for late changes.
FIRST_RUN_LOOKBACK_DAYS = 35


def day_start(day):
    return local_datetime(day, dt.time.min)


def _days(first, last):
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _appointment_measures(*, now):
    """The conditional aggregates of DAILY_MEASURES (sums of durations as timedeltas)."""
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
        "waiting_seconds_sum": Sum("waiting", filter=d.has_waiting()),
        "waiting_count": Count("pk", filter=d.has_waiting()),
        "processing_seconds_sum": Sum("processing", filter=d.has_processing()),
        "processing_count": Count("pk", filter=d.has_processing()),
        "lead_seconds_sum": Sum("lead", filter=d.has_lead()),
        "lead_count": Count("pk", filter=d.has_lead()),
    }
    for bucket, first, last in d.LEAD_BUCKETS:
        in_bucket = d.in_lead_bucket(first, last)
        measures[f"lead_{bucket}_kept"] = Count("pk", filter=in_bucket & kept)
        measures[f"lead_{bucket}_no_show"] = Count("pk", filter=in_bucket & no_show)
    return measures


def _as_numbers(row):
    """Durations summed by the database → whole seconds."""
    for name in DURATIONS:
        if name in row:
            row[name] = 0 if row[name] is None else round(row[name].total_seconds())
    return row


def _booked(start, end):
    """Appointments booked for a slot starting in [start, end)."""
    return Appointment.objects.filter(d.was_booked(), slot__start__gte=start, slot__start__lt=end)


def appointment_rows(start, end, *, now, measures=DAILY_MEASURES):
    """One query: the figures (all, or the named `measures`) of the appointments whose slot
    starts in [start, end), per date, team, service and channel (a dict per group)."""
    tz = d.office_tz()
    rows = (
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
    result = []
    for row in rows:
        row["service_id"], row["channel"] = row.pop("service_id_"), row.pop("channel_")
        result.append(_as_numbers(row))
    return result


def hourly_rows(start, end, *, now):
    """One query: attendance by hour of the appointment, per date, team and channel."""
    tz = d.office_tz()
    kept, no_show = d.kept(), d.no_show(now=now)
    rows = (
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
            waiting_seconds_sum=Sum("waiting", filter=d.has_waiting()),
            waiting_count=Count("pk", filter=d.has_waiting()),
        )
        .order_by()
    )
    result = []
    for row in rows:
        row["channel"] = row.pop("channel_")
        result.append(_as_numbers(row))
    return result


def capacity_rows(start, end):
    """One query: places of the slots starting in [start, end), per date and team."""
    tz = d.office_tz()
    open_ = Q(closed=False)
    rows = (
        Slot.objects.filter(start__gte=start, start__lt=end)
        .values(date=TruncDate("start", tzinfo=tz), team_id_=F("team_id"))
        .annotate(
            offered_online=Sum("capacity", filter=open_ & Q(contingent=Contingent.ONLINE)),
            offered_internal=Sum("capacity", filter=open_ & Q(contingent=Contingent.INTERNAL)),
            taken_online=Sum("booked", filter=open_ & Q(contingent=Contingent.ONLINE)),
            taken_internal=Sum("booked", filter=open_ & Q(contingent=Contingent.INTERNAL)),
            # Walk-ins get closed one-place slots without a rule: those were never offered.
            closed_places=Sum("capacity", filter=Q(closed=True, rule__isnull=False)),
        )
        .order_by()
    )
    result = []
    for row in rows:
        row["team_id"] = row.pop("team_id_")
        result.append({k: (v or 0) for k, v in row.items()})
    return result


def case_rows(start, end):
    """One query: cases completed in [start, end) per date and service, with their visits."""
    rows = (
        Case.objects.filter(completed_at__gte=start, completed_at__lt=end)
        .values(date=TruncDate("completed_at", tzinfo=d.office_tz()), service_id_=F("service_id"))
        .annotate(
            completed=Count("pk", distinct=True),
            visits=Count("appointments", filter=Q(appointments__status__in=d.KEPT_STATUSES)),
        )
        .order_by()
    )
    result = []
    for row in rows:
        row["service_id"] = row.pop("service_id_")
        result.append(row)
    return result


@dataclass
class RebuildResult:
    days: list = field(default_factory=list)
    figures: int = 0

    def as_dict(self):
        return {"days": [day.isoformat() for day in self.days], "figures": self.figures}


def _insert(model, rows):
    """Write row dicts: COPY on PostgreSQL, multi-row INSERTs elsewhere. bulk_create would send
    every value through the field machinery, which at a million appointments costs more than
    the aggregation itself."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    ops, attnames = connection.ops, [f.attname for f in fields]
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Values are dates, integers and channel names: nothing to escape in text format.
            data = io.StringIO(
                "".join("\t".join(str(row[name]) for name in attnames) + "\n" for row in rows)
            )
            cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", data)
            return
        placeholder = f"({', '.join(['%s'] * len(fields))})"
        batch = max(1, (connection.features.max_query_params or 999) // len(fields))
        for offset in range(0, len(rows), batch):
            part = rows[offset : offset + batch]
            params = []
            for row in part:
                row = {**row, "date": ops.adapt_datefield_value(row["date"])}
                params.extend(row[name] for name in attnames)
            values = ", ".join([placeholder] * len(part))
            cursor.execute(f"INSERT INTO {table} ({names}) VALUES {values}", params)  # noqa: S608


@transaction.atomic
def _rebuild_chunk(days, *, now):
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
        [StatisticsDay(date=day, rebuilt_at=now) for day in sorted(days)],
        update_conflicts=True,
        unique_fields=["date"],
        update_fields=["rebuilt_at"],
    )
    first, last = min(days), max(days)
    start, end = day_start(first), day_start(last + dt.timedelta(days=1))
    daily = [r for r in appointment_rows(start, end, now=now) if r["date"] in days]
    hourly = [r for r in hourly_rows(start, end, now=now) if r["date"] in days]
    capacity = [r for r in capacity_rows(start, end) if r["date"] in days]
    cases = [r for r in case_rows(start, end) if r["date"] in days]
    for model in (HourlyFigure, DailyFigure, DailyCapacity, CaseFigure):
        model.objects.filter(date__gte=first, date__lte=last).delete()
    for model, rows in (
        (DailyFigure, daily),
        (HourlyFigure, hourly),
        (DailyCapacity, capacity),
        (CaseFigure, cases),
    ):
        _insert(model, rows)
    return len(daily)


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
            result.figures += _rebuild_chunk(set(chunk), now=now)
            if progress:
                progress(len(chunk))
            chunk = []
        chunk.append(day)
    if chunk:
        result.figures += _rebuild_chunk(set(chunk), now=now)
        if progress:
            progress(len(chunk))
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


def live_rows(*, now, measures=DAILY_MEASURES):
    """Today's figures straight from the appointments, slots and cases (four queries)."""
    today = timezone.localdate(now)
    start, end = day_start(today), day_start(today + dt.timedelta(days=1))
    return {
        "daily": appointment_rows(start, end, now=now, measures=measures),
        "hourly": hourly_rows(start, end, now=now),
        "capacity": capacity_rows(start, end),
        "cases": case_rows(start, end),
    }
