"""The public API: services, free times, booking, verifying, reading, cancelling, moving."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from appointments import booking, protection
from appointments.models import Appointment, Contingent, ResponsibilityRule, Slot, Status
from tests.appointments.api.helpers import (
    booking_payload,
    hold_on_the_web,
    solve,
    surname_of,
    token_from_mail,
)
from tests.factories import (
    ServiceFactory,
    TeamFactory,
    bookable_slot,
    rule_for,
)

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings/"
SLOT_FULL_DE = "Dieser Termin wurde soeben vergeben. Bitte wählen Sie eine andere Uhrzeit."


def book(api, service, slot, n=0, *, HTTP_ACCEPT_LANGUAGE="de", **overrides):
    return api.post(
        BOOKINGS,
        booking_payload(service, slot, n, **overrides),
        format="json",
        HTTP_ACCEPT_LANGUAGE=HTTP_ACCEPT_LANGUAGE,
    )


def held_booking(api, n=0, **slot_options):
    service, team, slot = bookable_slot(**slot_options)
    response = book(api, service, slot, n)
    assert response.status_code == 201, response.json()
    code = response.json()["code"]
    return service, team, slot, code, token_from_mail(code)


# --- Services and free times -------------------------------------------------------------------


def test_services_are_listed_in_the_requested_language_with_checklists(api):
    ServiceFactory(slug="extension", name="Verlängerung", name_translations={"en": "Extension"})
    ServiceFactory(slug="inactive", active=False)

    english = api.get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="en").json()
    german = api.get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="de").json()

    assert english["count"] == 1
    assert english["results"][0] == {
        "slug": "extension",
        "name": "Extension",
        "description": "",
        "duration_minutes": 20,
        "bookable_online": True,
        "offline_hint": "",
        "documents": ["Passport"],
    }
    assert german["results"][0]["name"] == "Verlängerung"
    assert german["results"][0]["documents"] == ["Reisepass"]


def test_free_slots_list_released_online_places_with_offsets(api):
    service, team, slot = bookable_slot(capacity=2)
    Slot.objects.create(  # the internal contingent is not for residents
        team=team,
        rule=slot.rule,
        start=slot.start,
        end=slot.end,
        contingent=Contingent.INTERNAL,
        capacity=1,
    )
    full = Slot.objects.create(
        team=team,
        rule=slot.rule,
        start=slot.start + dt.timedelta(hours=1),
        end=slot.end + dt.timedelta(hours=1),
        contingent=Contingent.ONLINE,
        capacity=1,
        booked=1,
    )
    too_far = Slot.objects.create(  # beyond the release window of 28 days
        team=team,
        rule=slot.rule,
        start=slot.start + dt.timedelta(days=35),
        end=slot.end + dt.timedelta(days=35),
        contingent=Contingent.ONLINE,
        capacity=1,
    )
    today = timezone.localdate()

    response = api.get(
        f"/api/v1/services/{service.slug}/slots/",
        {"from": today.isoformat(), "to": (today + dt.timedelta(days=61)).isoformat()},
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [slot.pk]
    assert full.pk not in [r["id"] for r in results] and too_far.pk not in results
    assert results[0]["free"] == 2
    assert results[0]["team"] == team.name
    start = dt.datetime.fromisoformat(results[0]["start"])
    assert start.utcoffset() is not None and start == slot.start


def test_with_a_surname_only_the_responsible_teams_times_are_listed(api):
    service = ServiceFactory()
    first, second = TeamFactory(), TeamFactory()
    ResponsibilityRule.objects.create(service=service, team=first, letter_from="A", letter_to="M")
    ResponsibilityRule.objects.create(service=service, team=second, letter_from="N", letter_to="Z")
    _, _, slot_a = bookable_slot(service=service, team=first)
    _, _, slot_n = bookable_slot(service=service, team=second, hour=11)
    url = f"/api/v1/services/{service.slug}/slots/"

    everyone = {r["id"] for r in api.get(url).json()["results"]}
    for_nowak = {r["id"] for r in api.get(url, {"surname": "Nowak"}).json()["results"]}
    for_von_ahn = {r["id"] for r in api.get(url, {"surname": "von Ahn"}).json()["results"]}

    assert everyone == {slot_a.pk, slot_n.pk}
    assert for_nowak == {slot_n.pk}
    assert for_von_ahn == {slot_a.pk}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-01-10", "to": "2026-01-01"}, "to"),
        ({"from": "2026-01-01", "to": "2026-03-15"}, "to"),
        ({"from": "tomorrow"}, "from"),
        ({"from": "0001-01-01"}, "from"),
        ({"surname": "سعيد"}, "surname_latin"),
        ({"surname": "<b>Nowak"}, "surname"),
        ({"surname": "سعيد", "surname_latin": "سعيد"}, "surname_latin"),
    ],
)
def test_a_bad_range_or_surname_is_a_400_naming_the_field(api, query, field):
    service, _, _ = bookable_slot()
    response = api.get(f"/api/v1/services/{service.slug}/slots/", query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {field}
    assert body["fields"][field][0]


def test_the_range_message_is_translated(api):
    service, _, _ = bookable_slot()
    query = {"from": "2026-01-01", "to": "2026-12-31"}
    url = f"/api/v1/services/{service.slug}/slots/"
    english = api.get(url, query, HTTP_ACCEPT_LANGUAGE="en").json()["fields"]["to"][0]
    assert "62" in english and english.startswith("At most")


def test_slots_of_an_unknown_or_offline_service(api):
    offline = ServiceFactory(bookable_online=False)
    assert api.get("/api/v1/services/nope/slots/").status_code == 404
    response = api.get(f"/api/v1/services/{offline.slug}/slots/")
    assert response.status_code == 409
    assert response.json()["code"] == "service_not_bookable"


# --- Booking -----------------------------------------------------------------------------------


def test_a_booking_holds_the_place_and_mails_the_verification_link(api):
    service, _team, slot = bookable_slot(capacity=2)

    response = book(api, service, slot, interpreter=True, interpreter_language="Turkish")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "held"
    assert len(body["code"]) == 8
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert timezone.now() < expires <= timezone.now() + dt.timedelta(minutes=31)
    appointment = Appointment.objects.get(code=body["code"])
    assert appointment.channel == "online" and appointment.interpreter_language == "Turkish"
    assert token_from_mail(body["code"])  # the e-mail carries the secret
    assert "token" not in body
    slot.refresh_from_db()
    assert slot.booked == 1


def test_a_full_slot_is_a_409_and_books_nothing(api):
    service, _team, slot = bookable_slot(capacity=1)
    assert book(api, service, slot, 1).status_code == 201

    response = book(api, service, slot, 2)

    english = book(api, service, slot, 3, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    assert response.json() == {"detail": SLOT_FULL_DE, "code": "slot_full", "fields": {}}
    assert english.json()["detail"] == "This time was just taken. Please choose another time."
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("gone", "slot_unavailable"),
        ("past", "slot_unavailable"),
        ("offline", "service_not_bookable"),
        ("twice", "limit_reached"),
    ],
)
def test_refusals_of_the_domain_are_409s_with_their_code(api, change, code):
    service, _team, slot = bookable_slot(capacity=5)
    payload = booking_payload(service, slot, 3)
    if change == "gone":
        payload["slot"] = slot.pk + 999
    elif change == "past":
        Slot.objects.filter(pk=slot.pk).update(
            start=timezone.now() - dt.timedelta(hours=1), end=timezone.now()
        )
    elif change == "offline":
        service.bookable_online = False
        service.save()
    elif change == "twice":
        assert api.post(BOOKINGS, payload, format="json").status_code == 201
        payload["email"] = "ERIKA3+again@example.test"

    response = api.post(BOOKINGS, payload, format="json")

    assert response.status_code == 409, response.json()
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert Appointment.objects.count() == (1 if change == "twice" else 0)


def test_invalid_fields_are_a_400_with_messages_per_field(api):
    service, _team, slot = bookable_slot()
    bad = booking_payload(
        service,
        slot,
        surname="山田<script>",
        email="not-an-address",
        date_of_birth=(timezone.localdate() + dt.timedelta(days=1)).isoformat(),
        language="xx",
    )
    bad["service"] = "no-such-service"
    del bad["given_names"]

    response = api.post(BOOKINGS, bad, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {
        "surname",
        "email",
        "date_of_birth",
        "language",
        "service",
        "given_names",
    }
    assert body["fields"]["date_of_birth"] == ["The date of birth cannot be in the future."]
    assert body["fields"]["given_names"] == ["This field is required."]
    assert Appointment.objects.count() == 0


def test_field_messages_follow_accept_language(api):
    service, _team, slot = bookable_slot()
    payload = booking_payload(service, slot)
    del payload["email"]
    german = api.post(BOOKINGS, payload, format="json", HTTP_ACCEPT_LANGUAGE="de").json()
    english = api.post(BOOKINGS, payload, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["fields"]["email"] == ["This field is required."]
    assert german["fields"]["email"] == ["Dieses Feld ist zwingend erforderlich."]
    assert german["detail"] != english["detail"]


def test_a_body_that_is_not_an_object_is_a_400(api):
    for body in ([], "text", 5, None):
        response = api.post(BOOKINGS, body, format="json")
        assert response.status_code == 400, body
        assert set(response.json()) == {"detail", "code", "fields"}
    response = api.post(BOOKINGS, "{", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


# --- The challenge -----------------------------------------------------------------------------


def test_with_the_challenge_on_a_booking_needs_a_solved_one_once(api, settings):
    settings.BOOKING_CHALLENGE = True
    service, _team, slot = bookable_slot(capacity=3)

    missing = book(api, service, slot, 1)
    data = api.get("/api/v1/challenge/").json()
    payload = solve(data)
    solved = book(api, service, slot, 2, altcha=payload)
    replayed = book(api, service, slot, 3, altcha=payload)

    assert missing.status_code == 400 and set(missing.json()["fields"]) == {"altcha"}
    assert solved.status_code == 201
    assert replayed.status_code == 400 and set(replayed.json()["fields"]) == {"altcha"}
    assert Appointment.objects.count() == 1


def test_each_challenge_is_new_and_not_cached(api):
    first = api.get("/api/v1/challenge/")
    second = api.get("/api/v1/challenge/")
    assert first.json()["signature"] != second.json()["signature"]
    assert "no-store" in first["Cache-Control"]
    assert protection.verify_challenge(solve(first.json()))


# --- Rate limits: the web's scopes and settings --------------------------------------------------


def test_holds_are_limited_per_address_together_with_the_web(api, client, settings):
    settings.RATE_LIMITS = True
    settings.RATE_LIMIT_HOLDS_PER_IP_HOUR = 2
    service, _team, slot = bookable_slot(capacity=5)
    web = hold_on_the_web(client, service, slot)
    assert web.status_code == 302  # the web's hold counted once for 127.0.0.1

    first = book(api, service, slot, 1)
    second = book(api, service, slot, 2)

    assert first.status_code == 201
    assert second.status_code == 429
    assert second.json()["code"] == "rate_limited"
    assert int(second["Retry-After"]) > 0
    assert Appointment.objects.count() == 2


def test_holds_are_limited_per_mailbox(api, settings):
    settings.RATE_LIMITS = True
    settings.RATE_LIMIT_HOLDS_PER_EMAIL_DAY = 1
    service, _team, slot = bookable_slot(capacity=5)
    other, _team2, other_slot = bookable_slot(capacity=5)

    assert book(api, service, slot, 1, email="x@example.test").status_code == 201
    response = book(api, other, other_slot, 2, email="X+second@example.test")

    assert response.status_code == 429


def test_link_attempts_are_limited_per_address_even_with_wrong_tokens(api, settings):
    settings.RATE_LIMITS = True
    settings.RATE_LIMIT_LINKS_PER_IP_HOUR = 2
    _service, _team, _slot, code, token = held_booking(api)

    guesses = [
        api.get(f"{BOOKINGS}{code}/", HTTP_X_BOOKING_TOKEN=f"guess{i}").status_code
        for i in range(2)
    ]
    right = api.get(f"{BOOKINGS}{code}/", HTTP_X_BOOKING_TOKEN=token)

    assert guesses == [404, 404]
    assert right.status_code == 429


def test_with_rate_limits_off_nothing_is_limited(api, settings):
    settings.RATE_LIMIT_HOLDS_PER_IP_HOUR = 0
    service, _team, slot = bookable_slot(capacity=5)
    assert book(api, service, slot, 1).status_code == 201


# --- Verify, read, cancel, move ----------------------------------------------------------------


def test_verifying_with_the_mailed_token_books_the_appointment(api):
    _service, _team, slot, code, token = held_booking(api)

    response = api.post(f"{BOOKINGS}{code.lower()}/verify/", {"token": token}, format="json")
    again = api.post(f"{BOOKINGS}{code}/verify/", {"token": token}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "booked"
    assert response.json()["expires_at"] is None
    assert again.status_code == 200
    assert Appointment.objects.get(code=code).status == Status.BOOKED
    slot.refresh_from_db()
    assert slot.booked == 1


def test_wrong_code_and_wrong_token_are_the_same_404(api):
    _service, _team, _slot, code, token = held_booking(api)

    wrong_token = api.post(f"{BOOKINGS}{code}/verify/", {"token": "x" + token}, format="json")
    wrong_code = api.post(f"{BOOKINGS}ZZZZZZZZ/verify/", {"token": token}, format="json")
    read_wrong = api.get(f"{BOOKINGS}{code}/", HTTP_X_BOOKING_TOKEN="nope")
    read_without = api.get(f"{BOOKINGS}{code}/")
    read_other = api.get(f"{BOOKINGS}ZZZZZZZZ/", HTTP_X_BOOKING_TOKEN=token)
    # A code that cannot exist is not looked up (PostgreSQL refuses NUL in a query).
    impossible = api.get(f"{BOOKINGS}AB%00CD/", HTTP_X_BOOKING_TOKEN=token)
    cancel_impossible = api.post(f"{BOOKINGS}{code}%00/cancel/", HTTP_X_BOOKING_TOKEN=token)

    responses = [
        wrong_token,
        wrong_code,
        read_wrong,
        read_without,
        read_other,
        impossible,
        cancel_impossible,
    ]
    assert {r.status_code for r in responses} == {404}
    assert len({r.content for r in responses}) == 1
    assert wrong_token.json()["code"] == "not_found"
    assert Appointment.objects.get(code=code).status == Status.HELD


def test_an_expired_hold_cannot_be_verified(api):
    _service, _team, _slot, code, token = held_booking(api)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        response = api.post(f"{BOOKINGS}{code}/verify/", {"token": token}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "hold_expired"


def test_reading_a_booking_with_its_token(api):
    service, _team, _slot, code, token = held_booking(api)

    response = api.get(f"{BOOKINGS}{code}/", HTTP_X_BOOKING_TOKEN=token)

    assert response.status_code == 200
    assert response.json()["code"] == code
    assert response.json()["service"] == service.slug
    assert response.json()["can_change"] is True
    assert "no-store" in response["Cache-Control"]
    assert "Muster" not in response.content.decode()  # the token is no reason to echo data


def test_cancelling_frees_the_place_after_the_delay_and_only_once(api):
    _service, _team, slot, code, token = held_booking(api)
    api.post(f"{BOOKINGS}{code}/verify/", {"token": token}, format="json")

    response = api.post(f"{BOOKINGS}{code}/cancel/", HTTP_X_BOOKING_TOKEN=token)
    again = api.post(f"{BOOKINGS}{code}/cancel/", HTTP_X_BOOKING_TOKEN=token)

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["can_change"] is False
    assert again.status_code == 409
    assert again.json()["code"] == "transition_not_allowed"
    booking.release_delayed_places(now=timezone.now() + dt.timedelta(hours=1))
    slot.refresh_from_db()
    assert slot.booked == 0


def test_moving_a_booking_takes_the_new_place_and_frees_the_old(api):
    _service, team, slot, code, token = held_booking(api)
    later = Slot.objects.create(
        team=team,
        rule=slot.rule,
        start=slot.start + dt.timedelta(hours=1),
        end=slot.end + dt.timedelta(hours=1),
        contingent=Contingent.ONLINE,
        capacity=1,
    )

    response = api.post(
        f"{BOOKINGS}{code}/reschedule/",
        {"slot": later.pk},
        format="json",
        HTTP_X_BOOKING_TOKEN=token,
    )

    assert response.status_code == 200, response.json()
    assert dt.datetime.fromisoformat(response.json()["start"]) == later.start
    slot.refresh_from_db()
    later.refresh_from_db()
    assert (slot.booked, later.booked) == (0, 1)  # a held place is given back at once


def test_moving_to_a_full_or_foreign_slot_is_refused(api):
    _service, team, slot, code, token = held_booking(api)
    full = Slot.objects.create(
        team=team,
        rule=slot.rule,
        start=slot.start + dt.timedelta(hours=2),
        end=slot.end + dt.timedelta(hours=2),
        contingent=Contingent.ONLINE,
        capacity=1,
        booked=1,
    )
    other_rule = rule_for(TeamFactory(), [ServiceFactory()])
    foreign = Slot.objects.create(
        team=other_rule.team,
        rule=other_rule,
        start=slot.start,
        end=slot.end,
        contingent=Contingent.ONLINE,
        capacity=3,
    )
    url = f"{BOOKINGS}{code}/reschedule/"

    to_full = api.post(url, {"slot": full.pk}, format="json", HTTP_X_BOOKING_TOKEN=token)
    to_foreign = api.post(url, {"slot": foreign.pk}, format="json", HTTP_X_BOOKING_TOKEN=token)
    no_slot = api.post(url, {"slot": "soon"}, format="json", HTTP_X_BOOKING_TOKEN=token)

    assert (to_full.status_code, to_full.json()["code"]) == (409, "slot_full")
    assert (to_foreign.status_code, to_foreign.json()["code"]) == (409, "slot_unavailable")
    assert no_slot.status_code == 400 and set(no_slot.json()["fields"]) == {"slot"}
    assert Appointment.objects.get(code=code).slot_id == slot.pk


def test_the_whole_flow_uses_the_same_domain_as_the_web(api):
    """Book by API, then the web's manage page shows it with the same token."""
    _service, _team, _slot, code, token = held_booking(api)
    api.post(f"{BOOKINGS}{code}/verify/", {"token": token}, format="json")
    appointment = booking.find_by_code_and_token(code=code, token=token)
    assert appointment.status == Status.BOOKED
    assert surname_of(0) == appointment.surname
