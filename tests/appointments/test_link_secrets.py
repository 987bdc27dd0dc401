"""Secrets in the resident's links leave the address after the first GET; reply links expire.

An address with a token ends up in access logs, the browser history and Referer headers; the
first GET therefore keeps the token in the session and redirects to the address without it.
"""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from appointments import booking
from appointments.models import Event, Slot, Status
from appointments.notifications.messages import reply_url, verify_url
from tests.factories import bookable_slot, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def split(url):
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query)


def held():
    service, _team, slot = bookable_slot()
    return booking.book(service=service, slot_id=slot.pk, person=person(1), channel="online")


def test_the_verify_link_moves_its_token_into_the_session(client):
    appointment, token = held()
    path, query = split(verify_url(appointment, token))
    response = client.get(path, query)
    assert response.status_code == 302 and response["Location"] == path
    page = client.get(path)
    assert page.status_code == 200 and token not in page.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Status.HELD  # opening the link confirms nothing
    confirmed = client.post(path)
    assert confirmed["Location"] == f"/de/termin/{appointment.code}/"
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED


def test_a_wrong_verify_token_is_not_found_and_not_kept(client):
    appointment, _token = held()
    path = f"/de/termin/{appointment.code}/bestaetigen/"
    assert client.get(path, {"t": "wrong"}).status_code == 404
    assert "manage_tokens" not in client.session
    assert client.post(path).status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == Status.HELD


def booked_tomorrow(n=1):
    service, _team, slot = bookable_slot(days_ahead=1, capacity=3)
    made, _ = booking.book(service=service, slot_id=slot.pk, person=person(n), channel="staff")
    return made


def test_the_reply_link_moves_its_signature_into_the_session(client):
    appointment = booked_tomorrow()
    path, query = split(reply_url(appointment, "confirm"))
    response = client.get(path, query)
    assert response.status_code == 302 and response["Location"] == path
    page = client.get(path)
    assert page.status_code == 200
    appointment.refresh_from_db()
    assert appointment.attendance_confirmed_at is None
    client.post(path, {"s": query["s"][0]})
    appointment.refresh_from_db()
    assert appointment.attendance_confirmed_at is not None


def test_a_forged_reply_signature_is_not_found_and_not_kept(client):
    appointment = booked_tomorrow()
    path = f"/de/termin/{appointment.code}/antwort/"
    assert client.get(path, {"s": "forged"}).status_code == 404
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("answer", ["confirm", "cancel"])
def test_a_reply_link_expires_when_the_appointment_ends(client, clock, answer):
    appointment = booked_tomorrow()
    path, query = split(reply_url(appointment, answer))
    signed = query["s"][0]
    clock.move_to(appointment.slot.end + dt.timedelta(seconds=1))
    events = Event.objects.count()
    for response in (client.get(path, query, follow=True), client.post(path, {"s": signed})):
        assert response.status_code == 410
        assert "Dieser Link ist abgelaufen" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED and appointment.attendance_confirmed_at is None
    assert Event.objects.count() == events


def test_a_reply_link_of_a_moved_appointment_ends_with_the_old_time(client, clock):
    appointment = booked_tomorrow()
    path, query = split(reply_url(appointment, "confirm"))
    later = appointment.slot.start + dt.timedelta(days=7)
    Slot.objects.filter(pk=appointment.slot_id).update(
        start=later, end=later + dt.timedelta(minutes=20)
    )
    clock.move_to(appointment.slot.end + dt.timedelta(minutes=1))
    assert timezone.now() < later
    assert client.post(path, {"s": query["s"][0]}).status_code == 410
    appointment.refresh_from_db()
    assert appointment.attendance_confirmed_at is None


def test_a_reply_link_still_works_until_the_appointment_ends(client, clock):
    appointment = booked_tomorrow()
    path, query = split(reply_url(appointment, "confirm"))
    clock.move_to(appointment.slot.start - dt.timedelta(minutes=5))
    client.post(path, {"s": query["s"][0]})
    appointment.refresh_from_db()
    assert appointment.attendance_confirmed_at is not None
