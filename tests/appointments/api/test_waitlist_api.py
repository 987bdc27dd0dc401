"""The waitlist's public API: the same domain functions and error conventions as bookings."""

import datetime as dt
from urllib.parse import unquote

import pytest
from django.core.cache import cache

from appointments.models import Appointment, OutboxMessage, Status, Wish
from appointments.waitlist import allocation, wishes
from tests.factories import bookable_slot, person

pytestmark = pytest.mark.django_db


def payload(service, **overrides):
    data = {
        "service": service.slug,
        "surname": "Yılmaz",
        "given_names": "Ayşe",
        "date_of_birth": "1990-04-23",
        "email": "ayse@example.test",
        "language": "en",
        "weekdays": ["1"],
        "urgency_reason": "travel",
    }
    data.update(overrides)
    return data


def token_from_mail():
    body = OutboxMessage.objects.get(kind="wish_verification").text_body
    return unquote(body.split("/warteliste/bestaetigen/?t=")[1].split()[0])


def test_create_confirm_read_change_renew_and_withdraw(api):
    service, _team, _slot = bookable_slot()
    response = api.post("/api/v1/wishes/", payload(service), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "pending"
    token = token_from_mail()
    response = api.post("/api/v1/wishes/confirm/", {"token": token}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "active"
    headers = {"HTTP_X_WISH_TOKEN": token}
    read = api.get("/api/v1/wishes/mine/", **headers).json()
    assert (read["position_band"], read["weekdays"], read["open_offer"]) == (5, "1", None)
    changed = api.patch(
        "/api/v1/wishes/mine/",
        {"weekdays": ["0", "4"], "day_part": "afternoon"},
        format="json",
        **headers,
    )
    assert changed.json()["weekdays"] == "04"
    assert api.post("/api/v1/wishes/mine/renew/", **headers).status_code == 200
    assert api.post("/api/v1/wishes/mine/withdraw/", **headers).json()["state"] == "withdrawn"
    again = api.post("/api/v1/wishes/mine/withdraw/", **headers)
    assert again.status_code == 409 and again.json()["code"] == "wish_not_changeable"


def test_a_second_wish_for_the_same_person_is_a_409_and_bad_input_a_400(api):
    service, _team, _slot = bookable_slot()
    api.post("/api/v1/wishes/", payload(service), format="json")
    response = api.post("/api/v1/wishes/", payload(service, email="o@example.test"), format="json")
    assert response.status_code == 409 and response.json()["code"] == "wish_exists"
    bad = api.post(
        "/api/v1/wishes/",
        payload(service, surname="", earliest_date="2026-12-01", latest_date="2026-11-20"),
        format="json",
    )
    assert bad.status_code == 400 and "surname" in bad.json()["fields"]
    assert Wish.objects.count() == 1


def test_a_wrong_token_is_a_404(api):
    response = api.get("/api/v1/wishes/mine/", HTTP_X_WISH_TOKEN="nonsense")
    assert response.status_code == 404


def test_too_many_registrations_are_a_429(api, settings):
    settings.RATE_LIMITS = True
    settings.RATE_LIMIT_HOLDS_PER_EMAIL_DAY = 1
    cache.clear()
    service, _team, _slot = bookable_slot()
    api.post("/api/v1/wishes/", payload(service), format="json")
    response = api.post("/api/v1/wishes/", payload(service, surname="Other"), format="json")
    assert response.status_code == 429 and "Retry-After" in response


def offer_for_api(api):
    service, _team, slot = bookable_slot(capacity=1)
    _wish, token = wishes.register_wish(service=service, person=person())
    wishes.confirm_wish(token=token)
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)
    return offer, {"HTTP_X_WISH_TOKEN": token}


def test_accept_an_offer_once_then_409(api):
    offer, headers = offer_for_api(api)
    read = api.get("/api/v1/wishes/mine/", **headers).json()
    assert read["open_offer"]["id"] == offer.pk
    response = api.post(f"/api/v1/offers/{offer.pk}/accept/", **headers)
    assert response.status_code == 200 and response.json()["status"] == "booked"
    again = api.post(f"/api/v1/offers/{offer.pk}/accept/", **headers)
    assert again.status_code == 409 and again.json()["code"] == "offer_already_accepted"
    assert Appointment.objects.filter(status=Status.BOOKED).count() == 1


def test_accept_after_expiry_is_a_409_with_a_clear_message(api, clock):
    offer, headers = offer_for_api(api)
    clock.move_to(offer.expires_at + dt.timedelta(seconds=1))
    response = api.post(f"/api/v1/offers/{offer.pk}/accept/", **headers)
    assert response.status_code == 409 and response.json()["code"] == "offer_expired"


def test_decline_and_someone_elses_offer_is_a_404(api):
    offer, headers = offer_for_api(api)
    other = {"HTTP_X_WISH_TOKEN": "wrong"}
    assert api.post(f"/api/v1/offers/{offer.pk}/decline/", **other).status_code == 404
    response = api.post(f"/api/v1/offers/{offer.pk}/decline/", **headers)
    assert response.status_code == 200 and response.json()["state"] == "declined"
