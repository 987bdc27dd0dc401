"""The rebuild of the statistics by grouped INSERT … SELECT: its figures equal a plain count of the
appointments one by one, durations round like Python's round(), and its number of statements
does not grow with the number of days or appointments."""

import datetime as dt
import random
from collections import defaultdict

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from appointments import booking, queue, statistics
from appointments.models import (
    Appointment,
    CancellationReason,
    Channel,
    Contingent,
    DailyCapacity,
    DailyFigure,
    HourlyFigure,
    Outcome,
    Slot,
)
from appointments.statistics import definitions as d
from appointments.statistics.aggregation import DAILY_MEASURES
from tests.appointments.test_statistics import Office, at
from tests.factories import ServiceFactory, desk_of

pytestmark = pytest.mark.django_db

FIRST, LAST = dt.date(2026, 3, 9), dt.date(2026, 3, 13)  # Monday to Friday
AFTER = at(2026, 3, 16, 9)


def _visit(appointment, *, arrive, wait, serve=None):
    """Check in at `arrive`, called `wait` (a timedelta) later, finished `serve` later."""
    queue.check_in(appointment_id=appointment.pk, now=arrive)
    called = arrive + wait
    queue.call(appointment_id=appointment.pk, counter=desk_of(appointment.pk), now=called)
    if serve is not None:
        queue.start_service(appointment_id=appointment.pk, now=called)
        queue.finish(appointment_id=appointment.pk, outcome=Outcome.OTHER, now=called + serve)


def _random_fate(office, slot, start, channel, rng):
    """Book one resident of `slot` and give them a random fate; times with odd microseconds."""
    appointment = office.book(
        slot, when=start - dt.timedelta(days=rng.randint(0, 40), seconds=rng.randint(0, 80_000))
    )
    if channel != Channel.STAFF:
        Appointment.objects.filter(pk=appointment.pk).update(channel=channel)
    if rng.random() < 0.3:
        booking.confirm_attendance(appointment_id=appointment.pk, now=start - dt.timedelta(days=1))
    fate = rng.choice(["served", "called", "no_show", "cancelled", "late", "closure", "staff"])
    seconds = dt.timedelta(seconds=rng.randint(0, 1800), microseconds=rng.choice([0, 5e5, 123457]))
    arrive = start + dt.timedelta(seconds=rng.randint(-600, 600))
    if fate == "served":
        _visit(
            appointment,
            arrive=arrive,
            wait=seconds,
            serve=dt.timedelta(seconds=rng.randint(60, 2400)),
        )
    elif fate == "called":
        _visit(appointment, arrive=arrive, wait=seconds)
    elif fate in ("cancelled", "late", "closure", "staff"):
        reason = {"closure": CancellationReason.CLOSURE, "staff": CancellationReason.STAFF}.get(
            fate, CancellationReason.RESIDENT
        )
        ahead = dt.timedelta(hours=2) if fate == "late" else dt.timedelta(days=2)
        booking.cancel(appointment_id=appointment.pk, reason=reason, now=start - ahead)


@pytest.fixture
def week():
    """Two teams, two services, a week of random fates over internal and online slots."""
    rng = random.Random(18)
    first = Office()
    second_service = Office(service=ServiceFactory(), team=first.team)
    other_team = Office()
    for n in range((LAST - FIRST).days + 1):
        day = FIRST + dt.timedelta(days=n)
        for office in (first, second_service, other_team):
            for hour, contingent, channels in (
                (9, Contingent.INTERNAL, (Channel.STAFF, Channel.INVITATION)),
                (11, Contingent.ONLINE, (Channel.ONLINE,)),
                (14, Contingent.INTERNAL, (Channel.STAFF, Channel.FOLLOW_UP)),
            ):
                start = at(day.year, day.month, day.day, hour, rng.choice([0, 20, 40]))
                slot = office.slot(start, capacity=6, contingent=contingent)
                for _ in range(rng.randint(0, 5)):
                    _random_fate(office, slot, start, rng.choice(channels), rng)
    return first, second_service, other_team


def _counted_one_by_one(now):
    """DailyFigure and HourlyFigure values, counted appointment by appointment in Python."""
    kept, no_show, cancelled, confirmed = d.kept(), d.no_show(now=now), d.cancelled(), d.confirmed()
    conditions = {
        "kept": kept,
        "no_show": no_show,
        "cancelled": cancelled,
        "cancelled_by_resident": cancelled & Q(cancellation_reason="resident"),
        "cancelled_by_staff": cancelled & Q(cancellation_reason="staff"),
        "cancelled_by_closure": cancelled & Q(cancellation_reason="closure"),
        "late_cancelled": d.late_cancelled(),
        "confirmed": confirmed,
        "kept_confirmed": confirmed & kept,
        "no_show_confirmed": confirmed & no_show,
        "waiting_count": d.has_waiting(),
        "processing_count": d.has_processing(),
        "lead_count": d.has_lead(),
    }
    for bucket, first, last in d.LEAD_BUCKETS:
        conditions[f"lead_{bucket}_kept"] = d.in_lead_bucket(first, last) & kept
        conditions[f"lead_{bucket}_no_show"] = d.in_lead_bucket(first, last) & no_show
    booked = Appointment.objects.filter(d.was_booked()).alias(lead=d.lead_duration())
    members = {
        name: set(booked.filter(q).values_list("pk", flat=True)) for name, q in conditions.items()
    }
    durations = {
        "waiting": set(booked.filter(d.has_waiting()).values_list("pk", flat=True)),
        "processing": members["processing_count"],
        "lead": members["lead_count"],
    }
    daily, hourly = defaultdict(lambda: defaultdict(int)), defaultdict(lambda: defaultdict(int))
    sums = defaultdict(lambda: defaultdict(dt.timedelta))
    rows = booked.annotate(
        waiting=d.waiting_duration(), processing=d.processing_duration(), lead_=d.lead_duration()
    ).values(
        "pk",
        "slot__start",
        "slot__team_id",
        "service_id",
        "channel",
        "waiting",
        "processing",
        "lead_",
    )
    for row in rows:
        local = timezone.localtime(row["slot__start"])
        day_key = (local.date(), row["slot__team_id"], row["service_id"], row["channel"])
        hour_key = (local.date(), local.hour, row["slot__team_id"], row["channel"])
        daily[day_key]["booked"] += 1
        hourly[hour_key]["booked"] += 1
        for name, pks in members.items():
            if row["pk"] in pks:
                daily[day_key][name] += 1
                if name in ("kept", "no_show", "waiting_count"):
                    hourly[hour_key][name] += 1
        for name, pks in durations.items():
            if row["pk"] in pks:
                value = row["lead_" if name == "lead" else name]
                sums[("d", day_key)][name] += value
                if name == "waiting":
                    sums[("h", hour_key)][name] += value
    for kind, table in (("d", daily), ("h", hourly)):
        for key, figures in table.items():
            for name, total in sums[(kind, key)].items():
                figures[f"{name}_seconds_sum"] = round(total.total_seconds())
    return daily, hourly


def test_the_rebuilt_figures_equal_a_count_of_the_appointments_one_by_one(week):
    statistics.rebuild(date_from=FIRST, date_to=LAST, now=AFTER)
    daily, hourly = _counted_one_by_one(AFTER)
    assert len(daily) > 20 and sum(f["kept"] for f in daily.values()) > 10
    stored = {
        (row.pop("date"), row.pop("team_id"), row.pop("service_id"), row.pop("channel")): row
        for row in DailyFigure.objects.values()
    }
    for row in stored.values():
        del row["id"]
    assert stored == {
        key: {name: figures.get(name, 0) for name in DAILY_MEASURES}
        for key, figures in daily.items()
    }
    stored_hours = {
        (row.pop("date"), row.pop("hour"), row.pop("team_id"), row.pop("channel")): row
        for row in HourlyFigure.objects.values()
    }
    for row in stored_hours.values():
        del row["id"]
    names = ("booked", "kept", "no_show", "waiting_seconds_sum", "waiting_count")
    assert stored_hours == {
        key: {name: figures.get(name, 0) for name in names} for key, figures in hourly.items()
    }
    places = defaultdict(int)
    for slot in Slot.objects.filter(closed=False):
        places[(timezone.localdate(slot.start), slot.team_id, slot.contingent)] += slot.capacity
    capacity = {
        (c.date, c.team_id, "online"): c.offered_online for c in DailyCapacity.objects.all()
    }
    capacity |= {
        (c.date, c.team_id, "internal"): c.offered_internal for c in DailyCapacity.objects.all()
    }
    assert {k: v for k, v in capacity.items() if v} == dict(places)


def test_summed_durations_round_half_to_even_like_python():
    office, other = Office(), Office()
    for each, extra in ((office, 500_000), (other, 1_500_000)):  # 600.5 s and 601.5 s of waiting
        start = at(2026, 3, 10, 9)
        appointment = each.book(each.slot(start), when=at(2026, 3, 2, 12))
        _visit(appointment, arrive=start, wait=dt.timedelta(seconds=600, microseconds=extra))
    statistics.rebuild(date_from=FIRST, date_to=LAST, now=AFTER)
    waited = dict(DailyFigure.objects.values_list("team_id", "waiting_seconds_sum"))
    assert waited == {office.team.pk: 600, other.team.pk: 602}
    assert sorted(HourlyFigure.objects.values_list("waiting_seconds_sum", flat=True)) == [600, 602]


# The savepoint and its release, the upsert of the days, four DELETEs and four INSERT … SELECTs;
# on PostgreSQL also two SET LOCALs.
REBUILD_QUERIES = 11


def test_a_rebuild_runs_a_fixed_number_of_statements_whatever_the_days_and_appointments(
    week, django_assert_max_num_queries
):
    limit = REBUILD_QUERIES + (2 if connection.vendor == "postgresql" else 0)
    with django_assert_max_num_queries(limit) as one_day:
        small = statistics.rebuild(date_from=FIRST, date_to=FIRST, now=AFTER)
    with django_assert_max_num_queries(limit) as many_days:
        large = statistics.rebuild(
            date_from=FIRST - dt.timedelta(days=300), date_to=LAST, now=AFTER
        )
    assert len(one_day.captured_queries) == len(many_days.captured_queries)
    assert small.figures < large.figures == DailyFigure.objects.count()
    assert len(large.days) == 305


def _vacuumed_at(model):
    """When the table was last vacuumed and analysed by hand (not by autovacuum), read from a
    fresh session; earlier tests of the run may have done it already."""
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_vacuum, last_analyze FROM pg_stat_user_tables WHERE relname = %s",
            [model._meta.db_table],
        )
        return cursor.fetchone()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_long_rebuild_vacuums_the_figure_tables_the_reports_scan(week):
    # (How many dead rows the vacuum can remove depends on other sessions' snapshots.)
    tables = (DailyFigure, HourlyFigure, DailyCapacity)
    before = {model: _vacuumed_at(model) for model in tables}
    statistics.rebuild(date_from=FIRST, date_to=LAST, now=AFTER)  # five days: left to autovacuum
    assert _vacuumed_at(DailyFigure) == before[DailyFigure]
    statistics.rebuild(date_from=LAST - dt.timedelta(days=40), date_to=LAST, now=AFTER)
    for model in tables:
        vacuumed, analysed = _vacuumed_at(model)
        earlier, _ = before[model]
        assert vacuumed is not None and analysed is not None, model
        assert earlier is None or vacuumed > earlier, model
    assert DailyFigure.objects.count() > 20
