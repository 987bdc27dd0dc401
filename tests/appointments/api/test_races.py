"""Booking through the API keeps the web's guarantees under real concurrent connections
(PostgreSQL): no place is promised twice, one active appointment per person and service,
and the rate limits hold however many requests arrive at once."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from appointments.models import PLACE_HOLDING_STATUSES, Appointment, Contingent, Slot
from tests.appointments.api.helpers import booking_payload, token_from_mail
from tests.appointments.test_races import race
from tests.factories import bookable_slot

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 30


def post_booking(payload):
    response = APIClient().post("/api/v1/bookings/", payload, format="json")
    return response.status_code, response.json().get("code")


def test_thirty_concurrent_api_bookings_of_three_places_yield_exactly_three():
    service, _team, slot = bookable_slot(capacity=3)

    outcomes = race(lambda i: post_booking(booking_payload(service, slot, i)), THREADS)

    statuses = sorted(status for status, _code in outcomes)
    assert statuses == [201] * 3 + [409] * (THREADS - 3), outcomes
    assert {code for status, code in outcomes if status == 409} == {"slot_full"}
    slot.refresh_from_db()
    assert slot.booked == 3
    assert slot.appointments.filter(status__in=PLACE_HOLDING_STATUSES).count() == 3


def test_concurrent_api_bookings_by_one_person_yield_one():
    service, _team, slot = bookable_slot(capacity=THREADS + 5)

    def book(i):
        spelled = "MUSTERH" if i % 2 else "Musterh"
        payload = booking_payload(
            service, slot, 7, surname=spelled, email=f"erika7+try{i}@example.test"
        )
        return post_booking(payload)

    outcomes = race(book, THREADS)

    assert sorted(s for s, _c in outcomes) == [201] + [409] * (THREADS - 1), outcomes
    assert {code for status, code in outcomes if status == 409} == {"limit_reached"}
    slot.refresh_from_db()
    assert slot.booked == 1 == Appointment.objects.count()


def test_concurrent_moves_into_the_last_place_let_one_through():
    service, team, first = bookable_slot(capacity=THREADS)
    target = Slot.objects.create(
        team=team,
        rule=first.rule,
        start=first.start + dt.timedelta(hours=2),
        end=first.end + dt.timedelta(hours=2),
        contingent=Contingent.ONLINE,
        capacity=1,
    )
    held = []
    for i in range(10):
        status, code = post_booking(booking_payload(service, first, i))
        assert status == 201
        held.append((code, token_from_mail(code)))

    def move(i):
        code, token = held[i]
        response = APIClient().post(
            f"/api/v1/bookings/{code}/reschedule/",
            {"slot": target.pk},
            format="json",
            HTTP_X_BOOKING_TOKEN=token,
        )
        return response.status_code

    outcomes = race(move, len(held))

    assert sorted(outcomes) == [200] + [409] * 9, outcomes
    target.refresh_from_db()
    first.refresh_from_db()
    assert target.booked == 1
    assert first.booked == 9  # held places go back at once
    assert Appointment.objects.filter(slot=target).count() == 1


def test_the_hold_limit_per_address_holds_under_concurrency(settings):
    settings.RATE_LIMITS = True
    settings.RATE_LIMIT_HOLDS_PER_IP_HOUR = 5
    service, _team, slot = bookable_slot(capacity=THREADS)

    outcomes = race(lambda i: post_booking(booking_payload(service, slot, i)), THREADS)

    assert sorted(s for s, _c in outcomes) == [201] * 5 + [429] * (THREADS - 5), outcomes
    slot.refresh_from_db()
    assert slot.booked == 5
