"""Opening rules → slots: horizon, DST, holidays, closures, validity, rule changes, release."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments import booking
from appointments.availability import available_days, bookable_dates, next_release, public_holiday
from appointments.models import Appointment, Closure, Contingent, Slot, Status
from appointments.scheduling import generate_slots
from tests.factories import ServiceFactory, TeamFactory, person, route_all, rule_for

BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.django_db


def at(year, month, day, hour=6, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def service_and_team():
    service, team = ServiceFactory(), TeamFactory()
    route_all(service, team)
    return service, team


def test_a_rule_yields_slots_for_each_matching_weekday_in_both_contingents(service_and_team):
    service, team = service_and_team
    rule_for(team, [service], weekday=0, start="08:00", end="09:00", capacity=3, online_capacity=2)
    with time_machine.travel(at(2026, 3, 1), tick=False):  # a Sunday
        result = generate_slots(days=14)
    slots = Slot.objects.filter(team=team).order_by("start", "contingent")
    # Mondays 2 and 9 March, three 20-minute slots each, online (2) and internal (1) places
    assert result.created == 12
    assert {timezone.localtime(s.start).date() for s in slots} == {
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 9),
    }
    online = slots.filter(contingent=Contingent.ONLINE)
    internal = slots.filter(contingent=Contingent.INTERNAL)
    assert {s.capacity for s in online} == {2} and {s.capacity for s in internal} == {1}


def test_generation_is_idempotent(service_and_team):
    service, team = service_and_team
    rule_for(team, [service], weekday=0)
    with time_machine.travel(at(2026, 3, 1), tick=False):
        generate_slots(days=21)
        count = Slot.objects.count()
        second = generate_slots(days=21)
    assert second.created == 0 and second.removed == 0 and second.updated == 0
    assert Slot.objects.count() == count


def test_local_opening_times_survive_the_change_to_summer_time(service_and_team):
    service, team = service_and_team
    rule_for(team, [service], weekday=0, start="08:00", end="08:20")
    with time_machine.travel(at(2026, 3, 20), tick=False):  # DST starts on 29 March 2026
        generate_slots(days=14)
    starts = sorted(s.start for s in Slot.objects.filter(team=team, contingent=Contingent.ONLINE))
    assert [timezone.localtime(s).time() for s in starts] == [dt.time(8, 0), dt.time(8, 0)]
    assert [s.astimezone(dt.UTC).hour for s in starts] == [7, 6]  # CET, then CEST


def test_local_opening_times_survive_the_change_to_winter_time(service_and_team):
    service, team = service_and_team
    rule_for(team, [service], weekday=0, start="08:00", end="08:20")
    with time_machine.travel(at(2026, 10, 15), tick=False):  # DST ends on 25 October 2026
        generate_slots(days=14)
    starts = sorted(s.start for s in Slot.objects.filter(team=team, contingent="online"))
    assert [s.astimezone(dt.UTC).hour for s in starts] == [6, 7]


def test_public_holidays_of_hesse_get_no_slots(service_and_team):
    service, team = service_and_team
    assert public_holiday(dt.date(2026, 6, 4))  # Corpus Christi: a holiday in Hesse
    assert public_holiday(dt.date(2026, 8, 15)) is None  # Assumption: not in Hesse
    rule_for(team, [service], weekday=3)  # Thursdays
    with time_machine.travel(at(2026, 5, 31), tick=False):
        generate_slots(days=14)
    days = {timezone.localtime(s.start).date() for s in Slot.objects.all()}
    assert dt.date(2026, 6, 4) not in days
    assert dt.date(2026, 6, 11) in days


def test_validity_range_limits_the_days(service_and_team):
    service, team = service_and_team
    rule_for(
        team, [service], weekday=0, valid_from=dt.date(2026, 3, 9), valid_until=dt.date(2026, 3, 16)
    )
    with time_machine.travel(at(2026, 3, 1), tick=False):
        generate_slots(days=28)
    days = {timezone.localtime(s.start).date() for s in Slot.objects.all()}
    assert days == {dt.date(2026, 3, 9), dt.date(2026, 3, 16)}


def test_a_closure_keeps_slots_away_for_its_team_only(service_and_team):
    service, team = service_and_team
    other = TeamFactory()
    rule_for(team, [service], weekday=0, start="08:00", end="09:00")
    rule_for(other, [service], weekday=0, start="08:00", end="09:00")
    Closure.objects.create(
        team=team, start=at(2026, 3, 2, 0), end=at(2026, 3, 3, 0), reason="Betriebsversammlung"
    )
    with time_machine.travel(at(2026, 3, 1), tick=False):
        generate_slots(days=7)
    assert not Slot.objects.filter(team=team).exists()
    assert Slot.objects.filter(team=other).count() == 6


def test_an_office_wide_closure_over_a_booked_slot_cancels_the_appointment(service_and_team):
    service, team = service_and_team
    rule_for(team, [service], weekday=0, start="08:00", end="08:20")
    with time_machine.travel(at(2026, 3, 1), tick=False):
        generate_slots(days=7)
        slot = Slot.objects.get(contingent=Contingent.ONLINE)
        appointment, _ = booking.book(
            service=service, slot_id=slot.pk, person=person(), channel="staff"
        )
        Closure.objects.create(start=at(2026, 3, 2, 7), end=at(2026, 3, 2, 12), reason="Streik")
        result = generate_slots(days=7)
    appointment.refresh_from_db()
    slot.refresh_from_db()
    assert result.cancelled_appointments == [appointment.pk]
    assert appointment.status == Status.CANCELLED
    assert appointment.cancellation_reason == "closure"
    assert slot.closed and slot.booked == 0  # freed at once: no anti-trading delay here
    assert not Slot.objects.filter(closed=False, start__lt=at(2026, 3, 3)).exists()


def test_rule_changes_replace_only_future_unbooked_slots(service_and_team):
    service, team = service_and_team
    rule = rule_for(team, [service], weekday=0, start="08:00", end="09:00")
    with time_machine.travel(at(2026, 3, 1), tick=False):
        generate_slots(days=7)
        booked_slot = Slot.objects.filter(contingent=Contingent.ONLINE).order_by("start").first()
        booking.book(service=service, slot_id=booked_slot.pk, person=person(), channel="staff")
        rule.start_time, rule.end_time = dt.time(10, 0), dt.time(10, 40)
        rule.save()
        result = generate_slots(days=7)
    remaining = Slot.objects.filter(team=team)
    times = {(timezone.localtime(s.start).time(), s.closed) for s in remaining}
    assert (dt.time(8, 0), True) in times  # the booked one stays, closed to new bookings
    assert {t for t, closed in times if not closed} == {dt.time(10, 0), dt.time(10, 20)}
    assert result.removed == 5  # 3 windows × 2 contingents, less the booked one
    assert Appointment.objects.get().status == Status.BOOKED


def test_capacity_changes_apply_to_unbooked_future_slots(service_and_team):
    service, team = service_and_team
    rule = rule_for(
        team, [service], weekday=0, start="08:00", end="08:20", capacity=3, online_capacity=2
    )
    with time_machine.travel(at(2026, 3, 1), tick=False):
        generate_slots(days=7)
        rule.capacity, rule.online_capacity = 5, 4
        rule.save()
        generate_slots(days=7)
    assert Slot.objects.get(contingent="online").capacity == 4
    assert Slot.objects.get(contingent="internal").capacity == 1


def test_release_policy_opens_the_next_day_at_the_release_time():
    service = ServiceFactory(
        booking_window_min_days=1, booking_window_max_days=28, release_time=dt.time(7, 0)
    )
    assert bookable_dates(service, now=at(2026, 3, 2, 6, 59)) == (
        dt.date(2026, 3, 3),
        dt.date(2026, 3, 29),
    )
    assert bookable_dates(service, now=at(2026, 3, 2, 7, 0)) == (
        dt.date(2026, 3, 3),
        dt.date(2026, 3, 30),
    )
    moment, day = next_release(service, now=at(2026, 3, 2, 6, 0))
    assert moment == at(2026, 3, 2, 7, 0) and day == dt.date(2026, 3, 30)
    moment, day = next_release(service, now=at(2026, 3, 2, 8, 0))
    assert moment == at(2026, 3, 3, 7, 0) and day == dt.date(2026, 3, 31)


def test_availability_shows_only_released_free_online_places_of_the_team(service_and_team):
    service, team = service_and_team
    other_service = ServiceFactory()
    rule_for(team, [service], weekday=0, start="08:00", end="09:00", capacity=2, online_capacity=1)
    rule_for(team, [other_service], weekday=1, start="08:00", end="09:00")
    with time_machine.travel(at(2026, 3, 1, 8), tick=False):
        generate_slots(days=42)
        first = Slot.objects.filter(contingent="online").order_by("start").first()
        booking.book(service=service, slot_id=first.pk, person=person(), channel="online")
        days = available_days(
            service=service, team=team, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 4, 30)
        )
    assert [day for day, _ in days] == [
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 16),
        dt.date(2026, 3, 23),
    ]  # 29 March is beyond the 28-day window; Tuesdays belong to the other service
    assert len(days[0][1]) == 2  # the taken 08:00 place is gone
    assert all(s.contingent == "online" and s.free_places == 1 for _, ss in days for s in ss)


def test_availability_runs_one_query_whatever_the_number_of_slots(service_and_team):
    service, team = service_and_team
    for weekday in range(5):
        rule_for(team, [service], weekday=weekday, start="08:00", end="16:00", slot_minutes=10)
    with time_machine.travel(at(2026, 3, 1, 8), tick=False):
        generate_slots(days=35)
        assert Slot.objects.count() > 1000
        with CaptureQueriesContext(connection) as queries:
            days = available_days(
                service=service,
                team=team,
                date_from=dt.date(2026, 3, 1),
                date_to=dt.date(2026, 3, 29),
            )
    assert len(days) == 20
    assert len(queries) == 1


def test_a_closure_over_a_slot_closed_earlier_by_a_rule_change_still_cancels(service_and_team):
    service, team = service_and_team
    rule = rule_for(team, [service], weekday=0, start="08:00", end="08:20")
    with time_machine.travel(at(2026, 3, 1), tick=False):
        generate_slots(days=7)
        slot = Slot.objects.get(contingent=Contingent.ONLINE)
        appointment, _ = booking.book(
            service=service, slot_id=slot.pk, person=person(), channel="staff"
        )
        rule.start_time, rule.end_time = dt.time(10, 0), dt.time(10, 20)
        rule.save()
        generate_slots(days=7)  # the booked slot is closed to new bookings, the visit stays
        appointment.refresh_from_db()
        assert appointment.status == Status.BOOKED
        Closure.objects.create(
            team=team, start=at(2026, 3, 2, 0), end=at(2026, 3, 3, 0), reason="Umzug"
        )
        result = generate_slots(days=7)
    appointment.refresh_from_db()
    assert result.cancelled_appointments == [appointment.pk]
    assert appointment.status == Status.CANCELLED and appointment.cancellation_reason == "closure"
