"""Content-Security-Policy and Permissions-Policy on every kind of page: resident pages, the
booking wizard, the manage page, the backoffice, the call display, the API, the admin and the
error pages."""

import pytest

from appointments import booking
from caseworkers.models import DeviceToken
from tests.factories import bookable_slot, person, staff

pytestmark = pytest.mark.django_db


def directives(response):
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_protected(response):
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions


@pytest.fixture
def booked(settings):
    settings.BOOKING_CHALLENGE = False
    service, _team, slot = bookable_slot(days_ahead=5)
    appointment, token = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="online"
    )
    booking.verify(code=appointment.code, token=token)
    return appointment, token


def test_resident_pages_and_the_wizard_send_both_policies(client, booked):
    appointment, _token = booked
    for path in ("/de/", "/ar/datenschutz/", f"/de/buchen/{appointment.service.slug}/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_protected(response)


def test_the_manage_page_and_its_printout_send_both_policies(client, booked):
    appointment, token = booked
    client.get(f"/de/termin/{appointment.code}/", {"t": token})
    for path in (f"/de/termin/{appointment.code}/", f"/de/termin/{appointment.code}/drucken/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<svg" in response.content.decode()  # the QR code is inline SVG, no data: URI
        assert_protected(response)


def test_backoffice_pages_send_both_policies(client):
    for path in ("/backoffice/login/",):
        assert_protected(client.get(path))
    client.force_login(staff("supervisor"))
    for path in ("/backoffice/", "/backoffice/reception/", "/backoffice/manage/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_protected(response)


def test_the_call_display_sends_both_policies(client):
    _service, team, _slot = bookable_slot(days_ahead=1)
    _device, token = DeviceToken.issue(name="Wartebereich EG", teams=[team])
    client.get("/backoffice/display/", {"device": token})
    response = client.get("/backoffice/display/")
    assert response.status_code == 200
    assert_protected(response)
    assert "autoplay=(self)" in response["Permissions-Policy"]  # the optional chime may play


def test_api_responses_send_both_policies(client):
    for path, status in (("/api/v1/services/", 200), ("/api/v1/nope/", 404)):
        response = client.get(path)
        assert response.status_code == status
        assert response["Content-Type"].startswith("application/json")
        assert_protected(response)


def test_admin_pages_send_both_policies(client, admin_user):
    assert_protected(client.get("/admin/login/"))
    client.force_login(admin_user)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert_protected(response)


def test_error_pages_send_both_policies(client):
    for path in ("/de/gibt-es-nicht/", "/backoffice/gibt-es-nicht/"):
        response = client.get(path)
        assert response.status_code == 404
        assert_protected(response)


def test_no_page_needs_a_nonce_so_none_is_sent(client):
    # No template has an inline script; a nonce appears only when a template asks for one.
    assert "nonce-" not in client.get("/de/")["Content-Security-Policy"]
