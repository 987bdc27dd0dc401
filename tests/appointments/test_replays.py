"""A step sent twice (double click, reload, back button, a link opened again) is answered with
the current state, never with step 1 or an error; moving asks for confirmation first."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from appointments import booking
from appointments.models import Appointment, Slot, Status
from tests.factories import bookable_slot, person

from .test_resident_views import PERSON_FORM, walk_to_details

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_challenge(settings):
    settings.BOOKING_CHALLENGE = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def booked(client):
    service, team, slot = bookable_slot(capacity=2)
    _s, _t, later = bookable_slot(service=service, team=team, capacity=2, days_ahead=6)
    appointment, token = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="online"
    )
    booking.verify(code=appointment.code, token=token)
    client.get(f"/de/termin/{appointment.code}/", {"t": token})  # the token into the session
    return appointment, token, later


def test_choosing_a_new_time_only_asks_and_moves_nothing(client, booked):
    appointment, _token, later = booked
    old_slot = appointment.slot
    url = f"/de/termin/{appointment.code}/verschieben/"
    assert client.get(url).status_code == 200
    question = client.post(url, {"slot": later.pk})
    assert question.status_code == 200
    content = question.content.decode()
    assert 'name="confirm" value="1"' in content and f'value="{later.pk}"' in content
    local = timezone.localtime
    assert local(old_slot.start).strftime("%H:%M") in content  # the old time
    assert local(later.start).strftime("%H:%M") in content  # and the new one
    appointment.refresh_from_db()
    assert appointment.slot_id == old_slot.pk
    assert Slot.objects.get(pk=later.pk).booked == 0
    assert not mail.outbox[2:]  # verification and confirmation only, no reschedule mail

    moved = client.post(url, {"slot": later.pk, "confirm": "1"})
    assert moved["Location"] == f"/de/termin/{appointment.code}/"
    appointment.refresh_from_db()
    assert appointment.slot_id == later.pk


def test_confirming_a_time_that_does_not_exist_changes_nothing(client, booked):
    appointment, _token, _later = booked
    url = f"/de/termin/{appointment.code}/verschieben/"
    response = client.post(url, {"slot": "999999"})
    assert response["Location"] == url
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED


def test_a_replayed_cancel_says_it_is_already_cancelled(client, booked):
    appointment, _token, _later = booked
    url = f"/de/termin/{appointment.code}/absagen/"
    client.post(url)
    again = client.post(url, follow=True)
    assert again.status_code == 200
    content = again.content.decode()
    assert "Dieser Termin ist bereits abgesagt." in content
    assert "alert-danger" not in content  # no error: it is simply done
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED


def test_a_replayed_verification_link_shows_the_confirmation(
    client, django_capture_on_commit_callbacks
):
    service, _team, slot = bookable_slot()
    walk_to_details(client, service, slot)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/de/buchen/{service.slug}/daten/", PERSON_FORM)
    link = re.search(r"http://\S+/bestaetigen/\?t=\S+", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[1]
    code = Appointment.objects.get().code
    client.post(path.split("?")[0], {"t": path.split("t=", 1)[1]})
    for _attempt in range(2):  # the link opened again, and the confirm button sent again
        again = client.get(path, follow=True)
        assert again.redirect_chain[-1][0] == f"/tr/termin/{code}/"
        assert again.status_code == 200
        assert "appointment-summary" in again.content.decode()
    assert Appointment.objects.get().status == Status.BOOKED


def test_replaying_the_time_or_details_step_after_the_hold_shows_the_hold(client):
    service, _team, slot = bookable_slot(capacity=3)
    walk_to_details(client, service, slot)
    held = client.post(f"/de/buchen/{service.slug}/daten/", PERSON_FORM)
    code = Appointment.objects.get().code
    held_url = f"/de/termin/{code}/reserviert/"
    assert held["Location"] == held_url
    for step, data in (("zeit/", {"slot": slot.pk}), ("daten/", PERSON_FORM)):
        replay = client.post(f"/de/buchen/{service.slug}/{step}", data)
        assert replay["Location"] == held_url, step
        assert client.get(f"/de/buchen/{service.slug}/{step}")["Location"] == held_url
    assert Appointment.objects.count() == 1
    assert Slot.objects.get(pk=slot.pk).booked == 1
