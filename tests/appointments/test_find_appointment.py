"""Find my appointment: a new manage link to the booking's mailbox, never a hint whether a
booking exists (same page, same status, same timing class), limits per address and per code."""

import datetime as dt
import re
import time

import pytest
import time_machine
from django.core.cache import cache

from appointments import booking, recovery
from appointments.codes import hash_token
from appointments.models import Appointment, CancellationReason, Event, OutboxMessage
from tests.factories import appointment, bookable_slot

pytestmark = pytest.mark.django_db

URL = "/de/termin-finden/"
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
LINK = re.compile(r"/termin/([A-Z0-9]{8})/\?t=([\w-]+)")


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.FIND_MIN_SECONDS = 0


@pytest.fixture
def booked():
    service, _team, slot = bookable_slot(days_ahead=3)
    return appointment(service=service, slot=slot, n=1)


def sent():
    """The manage-link mails written to the outbox (delivered after the commit)."""
    return list(OutboxMessage.objects.filter(kind="manage_link"))


def details(made, **overrides):
    data = {
        "code": made.code,
        "date_of_birth": made.date_of_birth.isoformat(),
        "email": made.email,
    }
    data.update(overrides)
    return data


def body(response):
    return CSRF.sub(b"", response.content)


def test_matching_details_mail_a_new_link_and_the_old_link_stops_working(client, booked):
    old_hash = booked.token_hash
    response = client.post(URL, details(booked, code=booked.code.lower()))
    assert response.status_code == 200
    [message] = sent()
    assert message.recipient == booked.email
    code, token = LINK.search(message.text_body).groups()
    assert code == booked.code
    booked.refresh_from_db()
    assert booked.token_hash == hash_token(token) != old_hash
    assert token in message.html_body
    assert booked.code in message.subject and message.language == "de"
    assert Event.objects.filter(action="appointment.link_reissued", appointment=booked).exists()
    # The new link opens the appointment; an old one no longer does.
    assert client.get(f"/de/termin/{code}/?t={token}", follow=True).status_code == 200


def test_the_old_token_no_longer_finds_the_appointment(booked):
    first = Appointment.objects.get(pk=booked.pk).token_hash
    recovery.resend_manage_link(
        code=booked.code, date_of_birth=booked.date_of_birth, email=booked.email
    )
    assert Appointment.objects.get(pk=booked.pk).token_hash != first


@pytest.mark.parametrize(
    "change",
    [
        {"code": "ABCDEFGH"},
        {"date_of_birth": "1990-01-02"},
        {"email": "someone.else@example.test"},
        {"code": "x" * 20},
    ],
)
def test_the_answer_is_the_same_whether_or_not_a_booking_matches(client, booked, change):
    hit = client.post(URL, details(booked))
    miss = client.post(URL, details(booked, **change))
    assert hit.status_code == miss.status_code == 200
    assert body(hit) == body(miss)
    assert len(sent()) == 1  # only the matching request mailed anything


def test_cancelled_and_past_appointments_get_no_mail(client, booked):
    booking.cancel(appointment_id=booked.pk, reason=CancellationReason.RESIDENT)
    client.post(URL, details(booked))
    assert sent() == []


def test_an_appointment_in_the_past_gets_no_mail(client, booked):
    with time_machine.travel(booked.slot.end + dt.timedelta(minutes=1), tick=False):
        client.post(URL, details(booked))
    assert sent() == []


def test_the_mail_goes_to_the_stored_address_only(client, booked):
    local, domain = booked.email.split("@")
    client.post(URL, details(booked, email=f"{local.upper()}+x@{domain}"))
    assert [m.recipient for m in sent()] == [booked.email]


def test_invalid_input_shows_the_form_again_with_messages(client):
    response = client.post(URL, {"code": "", "date_of_birth": "31.02.", "email": "nope"})
    assert response.status_code == 200
    assert b"error-summary" in response.content


def test_both_answers_take_at_least_the_minimum_time(client, booked, settings):
    settings.FIND_MIN_SECONDS = 0.2
    for data in (details(booked), details(booked, email="x@example.test")):
        began = time.perf_counter()
        client.post(URL, data)
        assert time.perf_counter() - began >= 0.2


def test_attempts_per_address_are_limited(client, booked, settings):
    settings.RATE_LIMIT_FIND_PER_IP_HOUR = 2
    settings.RATE_LIMIT_FIND_PER_CODE_DAY = 100
    assert client.post(URL, details(booked, code="ABCDEFGH")).status_code == 200
    assert client.post(URL, details(booked, code="ABCDEFGJ")).status_code == 200
    refused = client.post(URL, details(booked))
    assert refused.status_code == 429
    assert sent() == []


def test_attempts_per_code_are_limited_from_any_address_and_alike_for_unknown_codes(
    client, booked, settings
):
    settings.RATE_LIMIT_FIND_PER_CODE_DAY = 2
    for code in (booked.code, "ABCDEFGH"):
        cache.clear()
        answers = [
            client.post(URL, details(booked, code=code), REMOTE_ADDR=f"203.0.113.{n}").status_code
            for n in range(3)
        ]
        assert answers == [200, 200, 429]


def test_a_date_that_is_not_a_date_changes_nothing(booked):
    assert (
        recovery.resend_manage_link(code=booked.code, date_of_birth="1990-01-01", email="x") is None
    )
    assert recovery.resend_manage_link(
        code=booked.code, date_of_birth=dt.date(1990, 1, 1), email=booked.email
    )
