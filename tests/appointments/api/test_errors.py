"""Every error answers in one shape, {detail, code, fields}, in the caller's language; lists
are paginated."""

import pytest

from appointments.api.errors import error_code
from appointments.errors import LimitReached, SlotFull
from tests.appointments.api.helpers import booking_payload
from tests.factories import ServiceFactory, bookable_slot

pytestmark = pytest.mark.django_db

SHAPE = {"detail", "code", "fields"}


def test_unknown_paths_under_api_answer_in_json_not_html(api):
    for method in ("get", "post"):
        response = getattr(api, method)("/api/v1/no/such/thing", HTTP_ACCEPT_LANGUAGE="de")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Nicht gefunden.", "code": "not_found", "fields": {}}
    assert api.get("/api/v1/staff/appointments/abc/").status_code == 404


def test_wrong_method_and_media_type_answer_in_the_same_shape(api):
    not_allowed = api.delete("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="en")
    wrong_type = api.post(
        "/api/v1/bookings/", "a=b", content_type="application/x-www-form-urlencoded"
    )
    assert (not_allowed.status_code, not_allowed.json()["code"]) == (405, "method_not_allowed")
    assert not_allowed.json()["detail"] == 'Method "DELETE" not allowed.'
    assert (wrong_type.status_code, wrong_type.json()["code"]) == (415, "unsupported_media_type")
    assert set(not_allowed.json()) == set(wrong_type.json()) == SHAPE


def test_domain_errors_have_stable_codes():
    assert error_code(SlotFull()) == "slot_full"
    assert error_code(LimitReached()) == "limit_reached"


def test_the_e_mail_cap_of_the_web_applies_to_the_api(api, settings):
    settings.MAX_ACTIVE_APPOINTMENTS_PER_EMAIL = 1
    first_service, _team, first_slot = bookable_slot()
    second_service, _team2, second_slot = bookable_slot()
    first = booking_payload(first_service, first_slot, 1, email="family@example.test")
    second = booking_payload(second_service, second_slot, 2, email="Family@Example.test")

    assert api.post("/api/v1/bookings/", first, format="json").status_code == 201
    response = api.post("/api/v1/bookings/", second, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    assert response.json()["code"] == "limit_reached"
    assert "maximum number of open appointments" in response.json()["detail"]


def test_lists_are_paginated(api):
    for n in range(5):
        ServiceFactory(slug=f"s{n}", sort_order=n)

    first = api.get("/api/v1/services/", {"page_size": 2}).json()
    last = api.get("/api/v1/services/", {"page_size": 2, "page": 3}).json()
    beyond = api.get("/api/v1/services/", {"page": 9})

    assert first["count"] == 5
    assert [s["slug"] for s in first["results"]] == ["s0", "s1"]
    assert first["next"].endswith("page=2&page_size=2")
    assert first["previous"] is None
    assert [s["slug"] for s in last["results"]] == ["s4"]
    assert beyond.status_code == 404 and set(beyond.json()) == SHAPE


def test_a_refused_booking_answers_in_the_shape_without_a_request_log_warning(api, caplog):
    # A taken time is an expected answer: counted in the metrics and written in the access
    # log, not warned about once per refused client by django.request.
    service, _team, slot = bookable_slot()
    slot.capacity = slot.booked = 0
    slot.save()
    with caplog.at_level("WARNING", logger="django.request"):
        response = api.post(
            "/api/v1/bookings/", booking_payload(service, slot, 1), format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )  # fmt: skip
    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "This time was just taken. Please choose another time.",
        "code": "slot_full",
        "fields": {},
    }
    assert b'{"detail":"This time was' in response.content  # compact, as DRF's renderer writes
    assert [r for r in caplog.records if r.name == "django.request"] == []


def test_a_refusal_keeps_the_characters_of_its_language(api):
    service, _team, slot = bookable_slot()
    slot.capacity = slot.booked = 0
    slot.save()
    response = api.post(
        "/api/v1/bookings/", booking_payload(service, slot, 1), format="json",
        HTTP_ACCEPT_LANGUAGE="ar",
    )  # fmt: skip
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail and detail.encode() in response.content  # UTF-8, not \u escapes


def test_other_client_errors_are_still_logged(api, caplog):
    with caplog.at_level("WARNING", logger="django.request"):
        api.delete("/api/v1/services/")
    assert [r.status_code for r in caplog.records if r.name == "django.request"] == [405]
