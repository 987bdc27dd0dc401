"""Session lifetimes: staff sessions end when idle and with the browser (shared reception PCs);
a resident's session holding a manage token ends within hours."""

import datetime as dt

import pytest
from django.contrib.auth import SESSION_KEY

from appointments import booking
from appointments.views.manage import TOKENS
from tests.factories import PASSWORD, bookable_slot, person

pytestmark = pytest.mark.django_db

DASHBOARD = "/backoffice/"


def test_the_staff_session_cookie_ends_with_the_browser(client, reception_user):
    response = client.post("/backoffice/login/", {"username": "empfang", "password": PASSWORD})

    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert cookie["secure"] == ""  # DEBUG is on in the tests; see test_production for off


def test_a_staff_session_idle_longer_than_the_limit_is_logged_out(
    client, clock, settings, reception_user
):
    assert settings.STAFF_SESSION_IDLE_MINUTES == 30
    client.force_login(reception_user)
    assert client.get(DASHBOARD).status_code == 200

    clock.shift(dt.timedelta(minutes=31))
    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response["Location"].startswith("/backoffice/login/")
    assert SESSION_KEY not in client.session


def test_activity_keeps_a_staff_session_alive(client, clock, reception_user):
    client.force_login(reception_user)
    for _ in range(4):  # two hours of work, never 30 minutes idle
        assert client.get(DASHBOARD).status_code == 200
        clock.shift(dt.timedelta(minutes=29))
    assert client.get(DASHBOARD).status_code == 200


def test_the_idle_limit_is_a_policy_knob(client, clock, settings, reception_user):
    settings.STAFF_SESSION_IDLE_MINUTES = 5
    client.force_login(reception_user)
    assert client.get(DASHBOARD).status_code == 200
    clock.shift(dt.timedelta(minutes=6))
    assert client.get(DASHBOARD).status_code == 302


@pytest.fixture
def manage_session(client):
    """A resident's browser that opened the manage link: the token sits in the session."""
    service, _team, slot = bookable_slot(capacity=2)
    appointment, token = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="online"
    )
    booking.verify(code=appointment.code, token=token)
    session = client.session
    session[TOKENS] = {appointment.code: token}
    session.save()
    return f"/de/termin/{appointment.code}/"


def test_a_resident_session_with_a_manage_token_ends_within_hours(
    client, clock, settings, manage_session
):
    assert settings.RESIDENT_SESSION_HOURS == 4
    first = client.get(manage_session)
    assert first.status_code == 200
    assert 0 < int(first.cookies["sessionid"]["max-age"]) <= 4 * 3600

    clock.shift(dt.timedelta(hours=3, minutes=50))
    assert client.get(manage_session).status_code == 200  # activity does not extend it
    clock.shift(dt.timedelta(minutes=11))

    assert client.get(manage_session).status_code == 404
    assert TOKENS not in client.session


def test_a_display_kiosk_session_keeps_the_default_lifetime(client, clock, settings):
    session = client.session
    session["display_device"] = 1
    session.save()
    client.get("/de/")
    clock.shift(dt.timedelta(hours=settings.RESIDENT_SESSION_HOURS + 1))
    assert client.session.get("display_device") == 1
