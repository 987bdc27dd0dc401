"""The month-to-date comparison, the 13-month trend and the breakdowns by caseworker and by
language, each against figures computed by hand from dated data."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments import booking, statistics
from appointments.models import Appointment, Channel, Contingent, DailyFigure, Status
from appointments.retention.pseudonymise import pseudonymise_appointments
from tests.factories import ServiceFactory, TeamFactory, bookable_slot, person, staff

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=0, minute=0):
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def figure(day, team, service, channel=Channel.STAFF, **counts):
    return DailyFigure.objects.create(
        date=day, team=team, service=service, channel=channel, **counts
    )


@pytest.fixture
def office():
    return TeamFactory(name="Sachgebiet A"), ServiceFactory(name="Verlängerung")


# --- "This month" against the same days of the previous month ------------------------------


@pytest.mark.clock("2026-03-18 12:00", tick=False)
def test_this_month_is_compared_with_the_same_days_of_the_previous_month(office):
    team, service = office
    figure(dt.date(2026, 2, 10), team, service, booked=10, kept=8, no_show=2)
    # After the 18th: the previous month had not got that far on the 18th of March.
    figure(dt.date(2026, 2, 25), team, service, booked=10, kept=0, no_show=10)
    figure(dt.date(2026, 3, 2), team, service, booked=10, kept=9, no_show=1)

    periods = statistics.overview()["periods"]

    previous = periods["previous_month"]
    assert (previous["start"], previous["end"]) == (dt.date(2026, 2, 1), dt.date(2026, 2, 18))
    assert (previous["kept"], previous["no_show"], previous["termintreue"]) == (8, 2, 80.0)
    assert periods["month"]["termintreue"] == 90.0
    assert periods["month"]["change"] == 10.0


@pytest.mark.clock("2026-03-31 09:00", tick=False)
def test_on_the_last_day_of_a_long_month_the_whole_short_one_is_compared(office):
    team, service = office
    figure(dt.date(2026, 2, 28), team, service, booked=4, kept=3, no_show=1)

    previous = statistics.overview()["periods"]["previous_month"]

    assert (previous["start"], previous["end"]) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert previous["termintreue"] == 75.0


@pytest.mark.clock("2026-01-05 09:00", tick=False)
def test_in_january_the_previous_month_is_december_of_last_year(office):
    previous = statistics.overview()["periods"]["previous_month"]

    assert (previous["start"], previous["end"]) == (dt.date(2025, 12, 1), dt.date(2025, 12, 5))


# --- The monthly trend -----------------------------------------------------------------------


@pytest.mark.clock("2026-03-18 12:00", tick=False)
def test_the_trend_sums_thirteen_calendar_months_up_to_today(office, django_assert_num_queries):
    team, service = office
    figure(dt.date(2025, 2, 28), team, service, booked=5, kept=5)  # 14 months back: left out
    figure(dt.date(2025, 3, 1), team, service, booked=4, kept=3, no_show=1)
    figure(
        dt.date(2026, 1, 5),
        team,
        service,
        booked=8,
        kept=6,
        no_show=2,
        processing_seconds_sum=6 * 600,
        processing_count=6,
    )
    figure(
        dt.date(2026, 1, 31),
        team,
        service,
        Channel.WALK_IN,
        booked=3,
        kept=3,
        processing_seconds_sum=3 * 1200,
        processing_count=3,
    )

    with django_assert_num_queries(2):
        trend = statistics.monthly_trend()

    assert [row["key"] for row in trend] == [dt.date(2025, month, 1) for month in range(3, 13)] + [
        dt.date(2026, month, 1) for month in (1, 2, 3)
    ]
    first, january = trend[0], trend[10]
    assert (first["booked"], first["kept"], first["termintreue"]) == (4, 3, 75.0)
    # Walk-ins are visits (processing time) but not appointments (Termintreue, booked).
    assert (january["booked"], january["kept"], january["walk_ins"]) == (8, 6, 3)
    assert january["termintreue"] == 75.0
    assert january["processing_minutes"] == round((3600 + 3600) / 9 / 60, 1)  # 13.3
    assert trend[11]["termintreue"] is None
    assert trend[-1]["until"] == dt.date(2026, 3, 18)
    assert all(row["until"] is None for row in trend[:-1])


@pytest.mark.clock("2026-03-18 12:00", tick=False)
def test_the_trend_respects_the_team_filter(office):
    team, service = office
    other = TeamFactory(name="Sachgebiet B")
    figure(dt.date(2026, 2, 3), team, service, booked=2, kept=2)
    figure(dt.date(2026, 2, 3), other, service, booked=2, no_show=2)

    trend = statistics.monthly_trend(team=team)

    assert (trend[-2]["kept"], trend[-2]["no_show"]) == (2, 0)


@pytest.mark.clock("2026-03-18 12:00", tick=False)
def test_the_trend_takes_todays_rows_from_the_overview_with_one_query_less(
    office, django_assert_num_queries
):
    team, service = office
    figure(dt.date(2026, 2, 3), team, service, booked=2, kept=2)
    *_, slot = bookable_slot(
        service=service, team=team, contingent=Contingent.INTERNAL, start=at(2026, 3, 18, 15)
    )
    booking.book(service=service, slot_id=slot.pk, person=person(1), channel=Channel.STAFF)
    alone = statistics.monthly_trend()
    live_daily = statistics.overview()["live_daily"]

    with django_assert_num_queries(1):
        shared = statistics.monthly_trend(live_daily=live_daily)

    assert shared == alone
    assert (alone[-1]["booked"], alone[-2]["kept"]) == (1, 2)


@pytest.mark.clock("2026-03-18 12:00", tick=False)
def test_the_overview_sums_the_same_trend_from_its_one_read_of_the_daily_figures(office):
    team, service = office
    other = TeamFactory(name="Sachgebiet B")
    # Before the trend (previous year only), before the 26 weeks, on a month's first day, a
    # weekend day, walk-ins, another team, and today's booking (live).
    figure(dt.date(2025, 2, 10), team, service, booked=5, kept=4, no_show=1)
    figure(dt.date(2025, 6, 10), team, service, booked=3, kept=1, no_show=2)
    figure(dt.date(2025, 9, 1), other, service, booked=4, kept=4)
    figure(dt.date(2025, 12, 31), team, service, Channel.WALK_IN, booked=2, kept=2)
    figure(dt.date(2026, 2, 1), team, service, booked=2, kept=1, no_show=1)
    figure(dt.date(2026, 3, 17), other, service, Channel.ONLINE, booked=6, kept=5, no_show=1)
    *_, slot = bookable_slot(
        service=service, team=team, contingent=Contingent.INTERNAL, start=at(2026, 3, 18, 15)
    )
    booking.book(service=service, slot_id=slot.pk, person=person(1), channel=Channel.STAFF)

    for team_filter in (None, team, other):
        report = statistics.overview(team=team_filter)
        assert report["monthly"] == statistics.monthly_trend(team=team_filter)

    report = statistics.overview()
    assert report["periods"]["previous_year"]["kept"] == 4 + 1 + 4
    assert report["periods"]["previous_year"]["walk_ins"] == 2
    assert report["monthly"][9]["walk_ins"] == 2  # December
    assert (report["monthly"][-1]["booked"], report["monthly"][-1]["kept"]) == (7, 5)


# --- By caseworker and by language (from the appointment rows) ------------------------------


def visit(service, team, start, *, n, language="de", channel=Channel.STAFF, **changes):
    """An appointment booked two days ahead of `start`, then given its dated outcome."""
    _service, _team, slot = bookable_slot(service=service, team=team, start=start, capacity=5)
    made, _token = booking.book(
        service=service,
        slot_id=slot.pk,
        person=person(n, language=language),
        channel=Channel.STAFF,
        now=start - dt.timedelta(days=2),
    )
    Appointment.objects.filter(pk=made.pk).update(channel=channel, **changes)
    return made


def served(service, team, start, *, n, by, minutes, **extra):
    return visit(
        service,
        team,
        start,
        n=n,
        status=Status.COMPLETED,
        checked_in_at=start - dt.timedelta(minutes=5),
        called_at=start,
        in_service_at=start + dt.timedelta(minutes=1),
        completed_at=start + dt.timedelta(minutes=1 + minutes),
        served_by=by,
        **extra,
    )


@pytest.fixture
def served_visits(office):
    """Anna served three (one walk-in), Ben one; one visit is outside the range."""
    team, service = office
    anna = staff("caseworker", username="anna")
    anna.first_name, anna.last_name = "Anna", "Arslan"
    anna.save(update_fields=["first_name", "last_name"])
    ben = staff("caseworker", username="ben")
    served(service, team, at(2026, 11, 2, 9), n=1, by=anna, minutes=10)
    served(service, team, at(2026, 11, 3, 9), n=2, by=anna, minutes=20)
    served(service, team, at(2026, 11, 3, 10), n=3, by=anna, minutes=36, channel=Channel.WALK_IN)
    served(service, team, at(2026, 11, 4, 9), n=4, by=ben, minutes=15)
    served(service, team, at(2026, 10, 30, 9), n=5, by=ben, minutes=99)  # before the range
    return team, service, anna, ben


def november(**filters):
    return statistics.make_filters(
        date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 10), **filters
    )


def test_by_caseworker_counts_finished_visits_and_their_average_processing(
    served_visits, django_assert_num_queries
):
    _team, _service, anna, ben = served_visits

    with django_assert_num_queries(1):
        rows = statistics.by_caseworker(november())

    assert [(r["key"], r["label"], r["served"], r["walk_ins"]) for r in rows] == [
        (anna.pk, "Anna Arslan", 3, 1),
        (ben.pk, "ben", 1, 0),
    ]
    assert rows[0]["processing_minutes"] == 22.0  # (10 + 20 + 36) / 3
    assert rows[1]["processing_minutes"] == 15.0


def test_by_caseworker_filters_by_channel(served_visits):
    rows = statistics.by_caseworker(november(channel=Channel.WALK_IN))

    assert [(r["label"], r["served"], r["processing_minutes"]) for r in rows] == [
        ("Anna Arslan", 1, 36.0)
    ]


def test_by_caseworker_stays_the_same_after_pseudonymisation(served_visits):
    before = statistics.by_caseworker(november())

    pseudonymise_appointments(
        list(Appointment.objects.values_list("pk", flat=True)), now=timezone.now()
    )

    assert statistics.by_caseworker(november()) == before


@pytest.fixture
def languages(office):
    team, service = office
    day = at(2026, 11, 3, 9)
    visit(service, team, day, n=1, language="ar", status=Status.COMPLETED, checked_in_at=day)
    visit(service, team, day, n=2, language="ar", status=Status.NO_SHOW)
    visit(
        service,
        team,
        day,
        n=3,
        language="ar",
        status=Status.COMPLETED,
        checked_in_at=day,
        interpreter_needed=True,
        interpreter_language="Arabisch",
    )
    visit(service, team, day, n=4, language="uk", status=Status.NO_SHOW)
    visit(
        service,
        team,
        day,
        n=5,
        language="uk",
        channel=Channel.WALK_IN,
        status=Status.COMPLETED,
        checked_in_at=day,
    )
    visit(service, team, at(2026, 11, 20, 9), n=6, language="tr")  # after the range
    return team, service


def test_by_language_counts_attendance_and_interpreters(languages, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = {row["key"]: row for row in statistics.by_language(november())}

    assert set(rows) == {"ar", "uk"}
    arabic, ukrainian = rows["ar"], rows["uk"]
    assert (arabic["booked"], arabic["kept"], arabic["no_show"]) == (3, 2, 1)
    assert arabic["termintreue"] == 66.7
    assert (arabic["walk_ins"], arabic["interpreter"]) == (0, 1)
    assert (ukrainian["booked"], ukrainian["kept"], ukrainian["no_show"]) == (1, 0, 1)
    assert (ukrainian["termintreue"], ukrainian["walk_ins"]) == (0.0, 1)


def test_by_language_stays_the_same_after_pseudonymisation(languages):
    before = statistics.by_language(november())

    pseudonymise_appointments(
        list(Appointment.objects.values_list("pk", flat=True)), now=timezone.now()
    )

    assert statistics.by_language(november()) == before
