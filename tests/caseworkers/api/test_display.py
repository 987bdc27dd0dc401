"""The call display's feed: readable with a device token only, its teams' numbers only, and
never anything a resident told us."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from appointments import booking, queue
from appointments.models import Counter
from caseworkers.models import DeviceToken
from tests.factories import bookable_slot, person

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
FEED = "/api/v1/display/"


def called(team, service, slot, n, counter):
    appointment, _token = booking.book(
        service=service,
        slot_id=slot.pk,
        person=person(
            n,
            given_names=f"Given{n}",
            phone=f"+49 611 55{n:04d}",
            interpreter_needed=True,
            interpreter_language=f"Lang{n}",
        ),
        channel="staff",
    )
    queue.check_in(appointment_id=appointment.pk)
    return queue.call(appointment_id=appointment.pk, counter=counter)


@pytest.fixture
def two_teams():
    with time_machine.travel(NOW, tick=False):
        service, mine, slot = bookable_slot(days_ahead=0, hour=10, capacity=5)
        other_service, other, other_slot = bookable_slot(days_ahead=0, hour=10, capacity=5)
        counter = Counter.objects.create(team=mine, number="12")
        mine_called = [called(mine, service, slot, n, counter) for n in range(2)]
        other_counter = Counter.objects.create(team=other, number="3")
        other_called = called(other, other_service, other_slot, 7, other_counter)
        yield mine, other, mine_called, other_called


def test_a_device_sees_its_teams_calls_and_no_personal_data(two_teams):
    mine, _other, mine_called, other_called = two_teams
    _device, token = DeviceToken.issue(name="Display", teams=[mine])
    client = APIClient(HTTP_AUTHORIZATION=f"Device {token}")

    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        response = client.get(FEED)

    assert response.status_code == 200
    body = response.json()
    assert body["teams"] == [{"id": mine.pk, "name": mine.name}]
    assert {c["waiting_number"] for c in body["calls"]} == {a.waiting_number for a in mine_called}
    assert {c["counter"] for c in body["calls"]} == {"12"}
    assert set(body["calls"][0]) == {"waiting_number", "counter", "called_at", "repeated"}
    assert "no-store" in response["Cache-Control"]
    content = response.content.decode()
    assert other_called.waiting_number not in content
    for appointment in [*mine_called, other_called]:
        for private in (
            appointment.surname,
            appointment.given_names,
            appointment.email,
            appointment.phone,
            appointment.code,
            appointment.date_of_birth.isoformat(),
            appointment.interpreter_language,
            appointment.service.name,
        ):
            assert private not in content, private


def test_the_feed_is_closed_without_an_active_device_token(two_teams, supervisor_user):
    mine, *_ = two_teams
    device, token = DeviceToken.issue(name="Display", teams=[mine])
    staff = APIClient()
    staff.force_login(supervisor_user)

    anonymous = APIClient().get(FEED)
    wrong = APIClient(HTTP_AUTHORIZATION="Device not-a-token").get(FEED)
    malformed = APIClient(HTTP_AUTHORIZATION="Device").get(FEED)
    by_staff = staff.get(FEED)
    DeviceToken.objects.filter(pk=device.pk).update(revoked_at=timezone.now())
    revoked = APIClient(HTTP_AUTHORIZATION=f"Device {token}").get(FEED)

    for response in (anonymous, wrong, malformed, by_staff, revoked):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Device"
        assert set(response.json()) == {"detail", "code", "fields"}


def test_the_feed_records_when_the_device_was_last_seen(two_teams):
    mine, *_ = two_teams
    device, token = DeviceToken.issue(name="Display", teams=[mine])
    APIClient(HTTP_AUTHORIZATION=f"Device {token}").get(FEED)
    device.refresh_from_db()
    assert device.last_used_at is not None
