"""Shared addresses (shelters, counselling offices, mobile networks): holds are limited per
address and, on their own, per person and mailbox; the refusal says when to try again and
keeps what was entered; a counselling office's partner key raises its address limit."""

import pytest
from django.test import RequestFactory
from django.utils import translation

from appointments import protection
from appointments.errors import TooManyAttempts
from appointments.models import Appointment, Event, PartnerKey
from caseworkers.roles import RECEPTION, SUPERVISOR
from tests.appointments.api.helpers import booking_payload
from tests.appointments.test_resident_views import PERSON_FORM, walk_to_details
from tests.factories import bookable_slot, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.BOOKING_CHALLENGE = False
    settings.RATE_LIMITS = True
    settings.RATE_LIMIT_HOLDS_PER_IP_HOUR = 3
    settings.RATE_LIMIT_HOLDS_PER_EMAIL_DAY = 5
    settings.RATE_LIMIT_HOLDS_PER_PERSON_DAY = 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def request_from(address):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def hold(address="203.0.113.9", n=0, partner_key="", **overrides):
    who = person(n, **overrides)
    protection.check_hold(
        request_from(address),
        email=who.email,
        challenge_payload="",
        person=who,
        partner_key=partner_key,
    )


def test_an_address_is_refused_after_its_limit_and_told_when_to_try_again(limits):
    for n in range(3):
        hold(n=n)
    with translation.override("en"), pytest.raises(TooManyAttempts) as refused:
        hold(n=3)
    # The clock stands at 10:30 Berlin: the hour's window ends at 11:00, in 30 minutes.
    assert refused.value.retry_after == 30 * 60
    assert "11:00" in refused.value.message and "30 minutes" in refused.value.message
    hold(address="203.0.113.10", n=3)  # another address is not affected


def test_persons_are_limited_on_their_own_not_by_the_shared_address(limits):
    limits.RATE_LIMIT_HOLDS_PER_IP_HOUR = 100
    for n in range(10):  # ten residents of one shelter, one address
        hold(n=n)
    hold(address="198.51.100.1", n=20, email="a@example.test")
    hold(address="198.51.100.2", n=20, email="b@example.test")
    with pytest.raises(TooManyAttempts) as refused:
        hold(address="198.51.100.3", n=20, email="c@example.test")
    assert refused.value.retry_after > 30 * 60  # the person's day window


def test_a_partner_key_raises_the_address_limit_and_a_wrong_or_inactive_key_does_not(limits):
    partner, key = protection.create_partner_key(
        organisation="Beratungsstelle Mitte", limit=6, actor=None
    )
    for n in range(6):
        hold(n=n, partner_key=key)
    with pytest.raises(TooManyAttempts):
        hold(n=6, partner_key=key)
    for n in range(3):
        hold(address="192.0.2.1", n=10 + n, partner_key="wrong")
    with pytest.raises(TooManyAttempts):
        hold(address="192.0.2.1", n=13, partner_key="wrong")
    protection.set_partner_key_active(partner_id=partner.pk, active=False, actor=None)
    assert protection.partner_for_key(key) is None
    assert PartnerKey.objects.get().key_hash != key  # only the hash is stored


def test_the_web_429_says_when_and_keeps_the_entered_data(client, limits):
    limits.RATE_LIMIT_HOLDS_PER_IP_HOUR = 0
    service, _team, slot = bookable_slot()
    walk_to_details(client, service, slot)
    response = client.post(f"/de/buchen/{service.slug}/daten/", PERSON_FORM)
    page = response.content.decode()
    assert response.status_code == 429
    assert "11:00" in page and "30" in page
    assert f"/de/buchen/{service.slug}/daten/" in page  # the way back to the form
    assert not Appointment.objects.exists()
    again = client.get(f"/de/buchen/{service.slug}/daten/").content.decode()
    assert 'value="Ayşe"' in again and 'value="ayse@example.test"' in again


def test_the_web_form_takes_a_partner_key(client, limits):
    limits.RATE_LIMIT_HOLDS_PER_IP_HOUR = 0
    _partner, key = protection.create_partner_key(organisation="Caritas", limit=5, actor=None)
    service, _team, slot = bookable_slot()
    walk_to_details(client, service, slot)
    response = client.post(f"/de/buchen/{service.slug}/daten/", {**PERSON_FORM, "partner_key": key})
    assert response.status_code == 302 and Appointment.objects.count() == 1


def test_the_api_429_carries_retry_after_and_the_partner_header_raises_the_limit(api, limits):
    limits.RATE_LIMIT_HOLDS_PER_IP_HOUR = 1
    service, _team, slot = bookable_slot(capacity=5)
    assert (
        api.post("/api/v1/bookings/", booking_payload(service, slot, 1), format="json").status_code
        == 201
    )
    refused = api.post("/api/v1/bookings/", booking_payload(service, slot, 2), format="json")
    assert refused.status_code == 429 and refused["Retry-After"] == "1800"
    assert "11:00" in refused.json()["detail"]
    _partner, key = protection.create_partner_key(organisation="Diakonie", limit=10, actor=None)
    allowed = api.post(
        "/api/v1/bookings/",
        booking_payload(service, slot, 2),
        format="json",
        HTTP_X_PARTNER_KEY=key,
    )
    assert allowed.status_code == 201


def test_supervisors_create_a_partner_key_shown_once_and_audited(client, login_as):
    login_as(RECEPTION)
    assert client.get("/backoffice/manage/partners/").status_code in (302, 403)
    login_as(SUPERVISOR)
    response = client.post(
        "/backoffice/manage/partners/", {"organisation": "Beratungsstelle Mitte", "limit": 150}
    )
    partner = PartnerKey.objects.get()
    page = response.content.decode()
    key = page.split('id="partner-key" type="text" readonly value="')[1].split('"')[0]
    assert protection.partner_for_key(key) == partner and partner.limit == 150
    assert key not in client.get("/backoffice/manage/partners/").content.decode()
    assert Event.objects.filter(action="partner_key.created").count() == 1
    client.post(f"/backoffice/manage/partners/{partner.pk}/active/")
    partner.refresh_from_db()
    assert not partner.active
    assert Event.objects.filter(action="partner_key.deactivated").count() == 1
