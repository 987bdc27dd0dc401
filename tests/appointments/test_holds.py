"""The pending hold: the clock time it is held until, the countdown's seconds, the expired
state, and "send the e-mail again" (same link, rate limited, no second place, no longer hold)."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client

from appointments import booking, holds
from appointments.errors import HoldExpired, NotFound, TooManyAttempts
from appointments.models import Appointment, OutboxMessage, Slot, Status
from tests.factories import bookable_slot, person

from .test_resident_views import PERSON_FORM, walk_to_details

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.BOOKING_CHALLENGE = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.APPOINTMENT_HOLD_MINUTES = 30
    settings.HOLD_RESEND_MAX = 2
    settings.HOLD_RESEND_INTERVAL_SECONDS = 60


@pytest.fixture
def hold():
    service, _team, slot = bookable_slot(capacity=3)
    appointment, token = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="online"
    )
    return appointment, token


# A frozen clock: on a busy machine (or PostgreSQL) a second may pass between the booking and
# the first reading, and the countdown would say 1799.
@pytest.mark.clock("2026-11-10 10:30", tick=False)
def test_the_state_counts_down_and_ends_with_the_hold(hold, clock):
    appointment, _token = hold
    state = holds.hold_state(appointment)
    assert state.pending and not state.expired
    assert state.seconds_left == 30 * 60
    assert state.expires_at == appointment.hold_expires_at
    clock.shift(dt.timedelta(minutes=29, seconds=30))
    assert holds.hold_state(appointment).seconds_left == 30
    clock.shift(dt.timedelta(seconds=31))
    later = holds.hold_state(appointment)
    assert later.expired and not later.pending and later.seconds_left == 0


def test_the_address_is_masked():
    assert holds.mask_email("ayse@example.test") == "a•••@example.test"
    assert holds.mask_email("") == ""


def test_sending_again_mails_the_same_link_without_a_new_place_or_a_longer_hold(
    hold, clock, django_capture_on_commit_callbacks
):
    appointment, token = hold
    expires = appointment.hold_expires_at
    clock.shift(dt.timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        holds.resend_verification(code=appointment.code, token=token)
    assert OutboxMessage.objects.filter(appointment=appointment, kind="verification").count() == 2
    appointment.refresh_from_db()
    assert appointment.hold_expires_at == expires and appointment.status == Status.HELD
    assert Slot.objects.get(pk=appointment.slot_id).booked == 1
    assert Appointment.objects.count() == 1
    assert token in mail.outbox[-1].body
    assert "28" in mail.outbox[-1].body  # the minutes still left, not the full hold


def test_sending_again_is_limited_in_pace_and_number(hold, clock):
    appointment, token = hold
    with pytest.raises(TooManyAttempts) as error:
        holds.resend_verification(code=appointment.code, token=token)  # right after the first
    assert error.value.retry_after == 60
    for _round in range(2):
        clock.shift(dt.timedelta(seconds=61))
        holds.resend_verification(code=appointment.code, token=token)
    clock.shift(dt.timedelta(seconds=61))
    with pytest.raises(TooManyAttempts):
        holds.resend_verification(code=appointment.code, token=token)
    assert OutboxMessage.objects.filter(kind="verification").count() == 3


def test_sending_again_needs_the_token_and_a_pending_hold(hold, clock):
    appointment, token = hold
    with pytest.raises(NotFound):
        holds.resend_verification(code=appointment.code, token="wrong")
    clock.shift(dt.timedelta(minutes=31))
    with pytest.raises(HoldExpired):
        holds.resend_verification(code=appointment.code, token=token)


def _hold_in_session(client, django_capture_on_commit_callbacks):
    service, _team, slot = bookable_slot(capacity=3)
    walk_to_details(client, service, slot)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/de/buchen/{service.slug}/daten/", PERSON_FORM)
    return service, Appointment.objects.get(), response["Location"]


@pytest.mark.clock("2026-11-10 10:12", tick=False)
def test_the_held_page_says_until_when_and_counts_down(client, django_capture_on_commit_callbacks):
    _service, appointment, url = _hold_in_session(client, django_capture_on_commit_callbacks)
    content = client.get(url).content.decode()
    assert "bis 10:42" in content  # Berlin time, 30 minutes after 10:12
    assert 'data-hold-seconds="1800"' in content
    assert "js/hold-countdown.js" in content
    assert "a•••@example.test" in content
    assert f"/de/termin/{appointment.code}/reserviert/erneut-senden/" in content
    assert "Die Reservierung ist abgelaufen" in content  # hidden until the countdown ends
    assert "data-hold-expired hidden" in content


def test_the_held_page_after_the_hold_says_it_expired(
    client, clock, django_capture_on_commit_callbacks
):
    service, _appointment, url = _hold_in_session(client, django_capture_on_commit_callbacks)
    clock.shift(dt.timedelta(minutes=31))
    content = client.get(url).content.decode()
    assert "Die Reservierung ist abgelaufen" in content
    assert "data-hold-expired hidden" not in content
    assert f'href="/de/buchen/{service.slug}/"' in content
    assert "erneut-senden" not in content


def test_send_again_from_the_held_page(client, clock, django_capture_on_commit_callbacks):
    _service, _appointment, url = _hold_in_session(client, django_capture_on_commit_callbacks)
    assert client.get(f"{url}erneut-senden/").status_code == 405  # a GET sends nothing
    too_soon = client.post(f"{url}erneut-senden/", follow=True)
    assert "Sie können in 60 Sekunden erneut" in too_soon.content.decode()
    clock.shift(dt.timedelta(minutes=1, seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"{url}erneut-senden/", follow=True)
    assert "Wir haben die E-Mail erneut gesendet." in again.content.decode()
    assert len(mail.outbox) == 2
    links = [re.search(r"/bestaetigen/\?t=\S+", m.body).group(0) for m in mail.outbox]
    assert links[0] == links[1]  # the same link: either mail confirms
    assert Appointment.objects.count() == 1


def test_another_session_cannot_send_again(client, django_capture_on_commit_callbacks):
    _service, _appointment, url = _hold_in_session(client, django_capture_on_commit_callbacks)
    assert Client().post(f"{url}erneut-senden/").status_code == 404


def test_the_same_person_sending_the_details_again_gets_the_pending_hold(
    client, django_capture_on_commit_callbacks
):
    service, appointment, url = _hold_in_session(client, django_capture_on_commit_callbacks)
    other_slot = bookable_slot(service=service, team=appointment.slot.team, days_ahead=5)[2]
    walk_to_details(client, service, other_slot)  # starts over in the same browser
    retry = client.post(f"/de/buchen/{service.slug}/daten/", PERSON_FORM, follow=True)
    assert retry.redirect_chain[-1][0] == url
    content = retry.content.decode()
    assert "a•••@example.test" in content and "erneut-senden" in content
    assert Appointment.objects.count() == 1
    assert Slot.objects.get(pk=other_slot.pk).booked == 0


def test_the_held_page_after_confirming_shows_the_appointment(client):
    service, _team, slot = bookable_slot()
    walk_to_details(client, service, slot)
    url = client.post(f"/de/buchen/{service.slug}/daten/", PERSON_FORM)["Location"]
    appointment = Appointment.objects.get()
    token = client.session["booking_hold_tokens"][appointment.code]
    booking.verify(code=appointment.code, token=token)
    shown = client.get(url, follow=True)
    assert shown.redirect_chain[-1][0] == f"/de/termin/{appointment.code}/"
