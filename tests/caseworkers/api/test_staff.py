"""The staff API: roles, tokens, check-in, walk-ins, the queue and its moves, follow-ups,
statistics and device tokens."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from appointments import booking, queue
from appointments.models import (
    Appointment,
    Channel,
    Contingent,
    Counter,
    Event,
    Outcome,
    Slot,
    Status,
)
from caseworkers.models import ApiToken, DeviceToken
from caseworkers.roles import ADMINISTRATOR, CASEWORKER, RECEPTION, SUPERVISOR
from tests.factories import (
    ServiceFactory,
    TeamFactory,
    bookable_slot,
    desk,
    desk_of,
    open_office,
    person,
    route_all,
)

pytestmark = pytest.mark.django_db

# A Monday morning in Wiesbaden, no public holiday.
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
STAFF = "/api/v1/staff"


@pytest.fixture
def morning():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def office(morning):
    """A service with a follow-up, its team with two counters, a slot at 10:00 today."""
    pickup = ServiceFactory(slug="pickup")
    built = open_office(
        split=(),
        service=ServiceFactory(slug="extension", follow_up_service=pickup),
        weekdays=[NOW.weekday()],
        start="10:00",
        end="10:20",
        slot_minutes=20,
        internal=0,
        online=5,
        days=0,
        counters=("11", "12"),
    )
    route_all(pickup, built.team)
    return {
        "service": built.service,
        "pickup": pickup,
        "team": built.team,
        "slot": Slot.objects.get(team=built.team),
        "counters": built.counters,
    }


def booked(office, n=0):
    appointment, _token = booking.book(
        service=office["service"], slot_id=office["slot"].pk, person=person(n), channel="staff"
    )
    return appointment


def checked_in(office, n=0):
    return queue.check_in(appointment_id=booked(office, n).pk)


# --- Who may do what ---------------------------------------------------------------------------

# (method, path, roles allowed); {a} is an appointment id, {t} a team id, {d} a device id.
ENDPOINTS = [
    ("get", "/me/", "all"),
    ("post", "/token/", "all"),
    ("post", "/token/revoke/", "all"),
    ("get", "/teams/", "all"),
    ("get", "/teams/{t}/queue/", (CASEWORKER, RECEPTION, SUPERVISOR, ADMINISTRATOR)),
    ("get", "/appointments/{a}/", (CASEWORKER, RECEPTION, SUPERVISOR, ADMINISTRATOR)),
    ("post", "/check-in/", (RECEPTION, SUPERVISOR, ADMINISTRATOR)),
    ("post", "/walk-ins/", (RECEPTION, SUPERVISOR, ADMINISTRATOR)),
    ("post", "/teams/{t}/call-next/", (CASEWORKER, SUPERVISOR, ADMINISTRATOR)),
    ("post", "/appointments/{a}/call/", (CASEWORKER, SUPERVISOR, ADMINISTRATOR)),
    ("post", "/appointments/{a}/recall/", (CASEWORKER, SUPERVISOR, ADMINISTRATOR)),
    ("post", "/appointments/{a}/park/", (CASEWORKER, SUPERVISOR, ADMINISTRATOR)),
    ("post", "/appointments/{a}/forward/", (CASEWORKER, SUPERVISOR, ADMINISTRATOR)),
    ("post", "/appointments/{a}/start/", (CASEWORKER, SUPERVISOR, ADMINISTRATOR)),
    ("post", "/appointments/{a}/finish/", (CASEWORKER, SUPERVISOR, ADMINISTRATOR)),
    ("post", "/appointments/{a}/no-show/", (CASEWORKER, SUPERVISOR, ADMINISTRATOR)),
    ("post", "/appointments/{a}/take-over/", (CASEWORKER, SUPERVISOR, ADMINISTRATOR)),
    ("post", "/appointments/{a}/correct-outcome/", (CASEWORKER, SUPERVISOR, ADMINISTRATOR)),
    ("get", "/appointments/{a}/follow-up-slots/", (CASEWORKER, SUPERVISOR, ADMINISTRATOR)),
    ("post", "/appointments/{a}/follow-up/", (CASEWORKER, SUPERVISOR, ADMINISTRATOR)),
    ("get", "/statistics/", (SUPERVISOR, ADMINISTRATOR)),
    ("get", "/waitlist/", (SUPERVISOR, ADMINISTRATOR)),
    ("get", "/devices/", (SUPERVISOR, ADMINISTRATOR)),
    ("post", "/devices/create/", (SUPERVISOR, ADMINISTRATOR)),
    ("post", "/devices/{d}/revoke/", (SUPERVISOR, ADMINISTRATOR)),
]
ALL = (RECEPTION, CASEWORKER, SUPERVISOR, ADMINISTRATOR)


def _url(path, office, device):
    appointment = Appointment.objects.first()
    return STAFF + path.format(a=appointment.pk, t=office["team"].pk, d=device.pk)


@pytest.fixture
def targets(office):
    checked_in(office)
    device, _token = DeviceToken.issue(name="Display", teams=[office["team"]])
    return office, device


def test_every_staff_endpoint_is_listed_here():
    """The table above covers every staff route: a new route must be added to it."""
    from caseworkers.api.urls import urlpatterns

    names = {"<int:appointment_id>": "{a}", "<int:team_id>": "{t}", "<int:device_id>": "{d}"}
    routes = set()
    for pattern in urlpatterns:
        route = "/" + str(pattern.pattern)
        for converter, placeholder in names.items():
            route = route.replace(converter, placeholder)
        routes.add(route)
    assert routes == {path for _method, path, _roles in ENDPOINTS}


@pytest.mark.parametrize(("method", "path", "_roles"), ENDPOINTS)
def test_anonymous_callers_are_refused_with_401(api, targets, method, path, _roles):
    office, device = targets
    events = Event.objects.count()
    response = getattr(api, method)(_url(path, office, device), {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert set(response.json()) == {"detail", "code", "fields"}
    assert Event.objects.count() == events


@pytest.mark.parametrize(("method", "path", "roles"), ENDPOINTS)
def test_wrong_roles_are_refused_with_403(staff_api, targets, method, path, roles):
    office, device = targets
    allowed = ALL if roles == "all" else roles
    wrong = [r for r in ALL if r not in allowed] + [None]
    appointment = Appointment.objects.get()
    before = (appointment.status, Event.objects.count(), DeviceToken.objects.count())
    for role in wrong:
        client, _user = staff_api(*([role] if role else []))
        response = getattr(client, method)(_url(path, office, device), {}, format="json")
        assert response.status_code == 403, (role, response.json())
        assert response.json()["code"] == "permission_denied"
    appointment.refresh_from_db()
    assert (appointment.status, Event.objects.count(), DeviceToken.objects.count()) == before


@pytest.mark.parametrize(("method", "path", "_roles"), ENDPOINTS)
def test_a_device_token_opens_no_staff_endpoint(api, targets, method, path, _roles):
    office, _device = targets
    device, token = DeviceToken.issue(name="Kiosk", teams=[office["team"]])
    api.credentials(HTTP_AUTHORIZATION=f"Device {token}")
    response = getattr(api, method)(_url(path, office, device), {}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path", "roles"), ENDPOINTS)
def test_the_right_role_gets_past_the_door(staff_api, targets, method, path, roles):
    office, device = targets
    role = ALL[0] if roles == "all" else roles[0]
    client, _user = staff_api(role)
    response = getattr(client, method)(_url(path, office, device), {}, format="json")
    assert response.status_code not in (401, 403, 405), response.json()
    assert response.status_code < 500


# --- Personal tokens ---------------------------------------------------------------------------


def test_a_personal_token_authenticates_until_replaced_or_revoked(staff_api):
    client, user = staff_api(CASEWORKER)
    first = client.post(f"{STAFF}/token/").json()["token"]
    second = client.post(f"{STAFF}/token/").json()["token"]
    by_token = APIClient()

    by_token.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert by_token.get(f"{STAFF}/me/").status_code == 401
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    me = by_token.get(f"{STAFF}/me/")
    assert me.json() == {"username": user.username, "roles": [CASEWORKER]}
    assert by_token.post(f"{STAFF}/token/revoke/").status_code == 204
    assert by_token.get(f"{STAFF}/me/").status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()


def test_session_callers_need_the_csrf_token_for_changes(reception_user, office):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(reception_user)
    response = client.post(f"{STAFF}/check-in/", {"code": "X"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


# --- Reception ---------------------------------------------------------------------------------


def test_check_in_by_code_gives_a_waiting_number_and_is_audited(staff_api, office):
    client, user = staff_api(RECEPTION)
    appointment = booked(office)
    code = f"{appointment.code[:4].lower()}-{appointment.code[4:]}"

    response = client.post(f"{STAFF}/check-in/", {"code": code}, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "checked_in"
    assert body["waiting_number"] == f"{office['team'].waiting_prefix}-001"
    assert body["surname"] == "Muster0"
    assert Event.objects.filter(
        action="personal_data.viewed", appointment=appointment, actor=user
    ).exists()
    again = client.post(f"{STAFF}/check-in/", {"code": code}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "transition_not_allowed"


def test_check_in_refusals(staff_api, office):
    client, _user = staff_api(RECEPTION)
    tomorrow = booking.book(
        service=office["service"],
        slot_id=bookable_slot(service=office["service"], team=office["team"], days_ahead=1)[2].pk,
        person=person(5),
        channel="staff",
    )[0]
    late = booked(office, 6)

    unknown = client.post(f"{STAFF}/check-in/", {"code": "NOPE2345"}, format="json")
    wrong_day = client.post(f"{STAFF}/check-in/", {"code": tomorrow.code}, format="json")
    with time_machine.travel(NOW + dt.timedelta(hours=2, minutes=30), tick=False):
        client.force_login(_user)  # hours later: the idle session has ended, a new login
        too_late = client.post(f"{STAFF}/check-in/", {"code": late.code}, format="json")
        accepted = client.post(
            f"{STAFF}/check-in/", {"code": late.code, "accept_late": True}, format="json"
        )

    assert unknown.status_code == 404
    assert (wrong_day.status_code, wrong_day.json()["code"]) == (409, "wrong_day")
    assert (too_late.status_code, too_late.json()["code"]) == (409, "too_late")
    assert accepted.status_code == 200 and accepted.json()["arrived_late"] is True


def test_a_walk_in_joins_the_queue_from_the_daily_contingent(staff_api, office):
    client, _user = staff_api(RECEPTION)
    office["team"].walk_in_daily_limit = 1
    office["team"].save()
    payload = {
        "team": office["team"].pk,
        "service": office["service"].slug,
        "surname": "Kowalenko",
        "given_names": "Olena",
        "date_of_birth": "1985-02-11",
        "nationality": "UA",
        "urgent": True,
    }

    response = client.post(f"{STAFF}/walk-ins/", payload, format="json")
    second = client.post(f"{STAFF}/walk-ins/", {**payload, "surname": "Other"}, format="json")
    invalid = client.post(f"{STAFF}/walk-ins/", {**payload, "team": 0}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "checked_in"
    assert response.json()["channel"] == Channel.WALK_IN
    assert response.json()["priority"] == 2
    assert (second.status_code, second.json()["code"]) == (409, "walk_ins_exhausted")
    assert invalid.status_code == 400 and set(invalid.json()["fields"]) == {"team"}


def test_a_walk_in_for_another_team_needs_a_reason_and_an_emergency_may_go_beyond(
    staff_api, office
):
    client, _user = staff_api(RECEPTION)
    office["team"].walk_in_daily_limit = 0
    office["team"].save()
    elsewhere = TeamFactory(waiting_prefix="X")
    payload = {
        "team": elsewhere.pk,
        "service": office["service"].slug,
        "surname": "Kowalenko",
        "given_names": "Olena",
        "date_of_birth": "1985-02-11",
        "nationality": "UA",
        "urgent": True,
        "beyond_contingent": True,
    }
    wrong = client.post(f"{STAFF}/walk-ins/", payload, format="json")
    no_reason = client.post(
        f"{STAFF}/walk-ins/", {**payload, "team": office["team"].pk}, format="json"
    )
    beyond = client.post(
        f"{STAFF}/walk-ins/",
        {**payload, "team": office["team"].pk, "beyond_reason": "läuft heute ab"},
        format="json",
    )
    assert (wrong.status_code, wrong.json()["code"]) == (409, "wrong_team")
    assert (no_reason.status_code, no_reason.json()["code"]) == (409, "reason_required")
    assert beyond.status_code == 201, beyond.json()
    assert Event.objects.filter(action="walk_in.beyond_contingent").count() == 1


# --- The queue ---------------------------------------------------------------------------------


def test_the_queue_lists_the_teams_day_without_names(staff_api, office):
    client, _user = staff_api(CASEWORKER)
    waiting = checked_in(office, 1)
    expected = booked(office, 2)
    other_team = bookable_slot(days_ahead=0, hour=11)[2]
    booking.book(
        service=other_team.rule.services.get(),
        slot_id=other_team.pk,
        person=person(3),
        channel="staff",
    )

    response = client.get(f"{STAFF}/teams/{office['team'].pk}/queue/")
    only_waiting = client.get(f"{STAFF}/teams/{office['team'].pk}/queue/", {"status": "checked_in"})
    bad = client.get(f"{STAFF}/teams/{office['team'].pk}/queue/", {"status": "asleep"})

    body = response.json()
    assert body["count"] == 2
    assert {e["id"] for e in body["results"]} == {waiting.pk, expected.pk}
    assert "Muster" not in response.content.decode()
    assert "surname" not in body["results"][0]
    assert [e["id"] for e in only_waiting.json()["results"]] == [waiting.pk]
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"status"}
    assert client.get(f"{STAFF}/teams/999999/queue/").status_code == 404


def test_the_queue_stays_within_a_fixed_number_of_queries(
    staff_api, office, django_assert_max_num_queries
):
    client, _user = staff_api(CASEWORKER)
    for n in range(4):
        checked_in(office, n)
    with django_assert_max_num_queries(9):  # +1: the caseworker's teams
        response = client.get(f"{STAFF}/teams/{office['team'].pk}/queue/")
    assert response.json()["count"] == 4


def test_call_next_calls_by_priority_and_says_who(staff_api, office):
    client, _user = staff_api(CASEWORKER)
    first = checked_in(office, 1)
    urgent = queue.add_walk_in(
        team=office["team"], service=office["service"], person=person(9), priority=2
    )
    counter = office["counters"][1]
    url = f"{STAFF}/teams/{office['team'].pk}/call-next/"

    called = client.post(url, {"counter": counter.pk}, format="json")
    then = client.post(url, {}, format="json")
    empty = client.post(url, {}, format="json")

    assert called.status_code == 200
    assert (called.json()["id"], called.json()["counter"]) == (urgent.pk, "12")
    assert called.json()["surname"] == "Muster9"
    assert then.json()["id"] == first.pk
    assert (empty.status_code, empty.json()["code"]) == (409, "queue_empty")


def test_a_counter_of_another_team_is_refused(staff_api, office):
    client, _user = staff_api(CASEWORKER)
    appointment = checked_in(office)
    foreign = Counter.objects.create(team=TeamFactory(), number="99")

    response = client.post(
        f"{STAFF}/appointments/{appointment.pk}/call/", {"counter": foreign.pk}, format="json"
    )

    assert response.status_code == 400 and set(response.json()["fields"]) == {"counter"}
    appointment.refresh_from_db()
    assert appointment.status == Status.CHECKED_IN


def test_the_visit_from_call_to_finish_and_follow_up(staff_api, office):
    client, _user = staff_api(CASEWORKER)
    appointment = checked_in(office)
    base = f"{STAFF}/appointments/{appointment.pk}"
    pickup_slot = bookable_slot(
        service=office["pickup"],
        team=office["team"],
        days_ahead=42,
        contingent=Contingent.INTERNAL,
    )[2]

    assert client.post(f"{base}/call/", {"counter": office["counters"][0].pk}).status_code == 200
    too_soon = client.post(f"{base}/recall/")
    assert (too_soon.status_code, too_soon.json()["code"]) == (409, "recall_too_soon")
    with time_machine.travel(NOW + dt.timedelta(seconds=61), tick=False):
        assert client.post(f"{base}/recall/").json()["call_count"] == 2
    assert client.post(f"{base}/park/").json()["status"] == "checked_in"
    parked = client.get(f"{STAFF}/teams/{office['team'].pk}/queue/").json()["results"][0]
    assert parked["parked"] is True
    assert client.post(f"{base}/call/", {}, format="json").json()["status"] == "called"
    assert client.post(f"{base}/start/").json()["status"] == "in_service"
    premature = client.post(f"{base}/follow-up/", {"slot": pickup_slot.pk}, format="json")
    finished = client.post(
        f"{base}/finish/",
        {"outcome": Outcome.APPLICATION_FILED, "note": " Card ordered. "},
        format="json",
    )
    slots = client.get(
        f"{base}/follow-up-slots/",
        {"from": (NOW.date() + dt.timedelta(days=30)).isoformat()},
    )
    follow_up = client.post(f"{base}/follow-up/", {"slot": pickup_slot.pk}, format="json")

    assert (premature.status_code, premature.json()["code"]) == (409, "transition_not_allowed")
    assert finished.json()["status"] == "completed"
    assert finished.json()["outcome"] == "application_filed"
    assert Appointment.objects.get(pk=appointment.pk).internal_note == "Card ordered."
    assert [s["id"] for s in slots.json()["results"]] == [pickup_slot.pk]
    assert slots.json()["results"][0]["contingent"] == "internal"
    assert follow_up.status_code == 201, follow_up.json()
    new = Appointment.objects.get(pk=follow_up.json()["id"])
    assert (new.channel, new.case_id, new.service) == (
        Channel.FOLLOW_UP,
        appointment.case_id,
        office["pickup"],
    )


def test_forward_and_no_show(staff_api, office):
    client, _user = staff_api(CASEWORKER)
    other = TeamFactory()
    appointment = checked_in(office)
    base = f"{STAFF}/appointments/{appointment.pk}"

    not_called = client.post(f"{base}/forward/", {"team": other.pk}, format="json")
    client.post(f"{base}/call/", {"counter": office["counters"][0].pk}, format="json")
    forwarded = client.post(f"{base}/forward/", {"team": other.pk}, format="json")
    # the counter chosen today is of the first team: the other team's needs choosing
    no_counter = client.post(f"{base}/call/", {}, format="json")
    client.post(f"{base}/call/", {"counter": desk(other).pk}, format="json")
    gone = client.post(f"{base}/no-show/")
    unknown = client.post(f"{STAFF}/appointments/987654/no-show/")

    assert not_called.status_code == 409
    assert forwarded.json()["queue_team"] == other.pk
    assert forwarded.json()["status"] == "checked_in"
    assert forwarded.json()["call_count"] == 0
    assert (no_counter.status_code, no_counter.json()["code"]) == (400, "no_counter")
    assert gone.json()["status"] == "no_show"
    assert unknown.status_code == 404


def test_finish_needs_a_known_outcome(staff_api, office):
    client, _user = staff_api(CASEWORKER)
    appointment = checked_in(office)
    response = client.post(
        f"{STAFF}/appointments/{appointment.pk}/finish/", {"outcome": "happy"}, format="json"
    )
    assert response.status_code == 400 and set(response.json()["fields"]) == {"outcome"}


def test_a_follow_up_for_a_service_without_one_is_a_409(staff_api, morning):
    client, _user = staff_api(CASEWORKER)
    service, _team, slot = bookable_slot(days_ahead=0, hour=10)
    appointment, _ = booking.book(
        service=service, slot_id=slot.pk, person=person(), channel="staff"
    )
    response = client.get(f"{STAFF}/appointments/{appointment.pk}/follow-up-slots/")
    assert (response.status_code, response.json()["code"]) == (409, "no_follow_up")


def test_teams_list_their_active_counters(staff_api, office):
    client, _user = staff_api(RECEPTION)
    Counter.objects.create(team=office["team"], number="13", active=False)
    body = client.get(f"{STAFF}/teams/").json()
    team = next(t for t in body["results"] if t["id"] == office["team"].pk)
    assert [c["number"] for c in team["counters"]] == ["11", "12"]


# --- Statistics --------------------------------------------------------------------------------


def test_statistics_filters_are_checked(staff_api):
    client, _user = staff_api(SUPERVISOR)
    response = client.get(f"{STAFF}/statistics/", {"channel": "carrier-pigeon", "team": 0})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"channel", "team"}


def test_statistics_return_the_overview_figures(staff_api, office):
    client, _user = staff_api(SUPERVISOR)
    appointment = checked_in(office)
    queue.call(appointment_id=appointment.pk, counter=desk_of(appointment.pk))

    response = client.get(f"{STAFF}/statistics/", {"team": office["team"].pk, "channel": "staff"})
    everything = client.get(f"{STAFF}/statistics/").json()

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["filters"] == {"team": office["team"].pk, "service": None, "channel": "staff"}
    figures = body["figures"]
    assert figures["today"] == NOW.date().isoformat()
    assert figures["periods"]["week"]["kept"] == 1
    assert everything["filters"] == {"team": None, "service": None, "channel": None}
    assert (
        client.get(f"{STAFF}/statistics/", {"channel": "online"}).json()["figures"]["periods"][
            "week"
        ]["kept"]
        == 0
    )


# --- Device tokens -----------------------------------------------------------------------------


def test_a_device_token_is_shown_once_and_can_be_revoked(staff_api, office):
    client, user = staff_api(SUPERVISOR)

    created = client.post(
        f"{STAFF}/devices/create/",
        {"name": " Display  2nd floor ", "teams": [office["team"].pk]},
        format="json",
    )
    listed = client.get(f"{STAFF}/devices/")
    device = DeviceToken.objects.get()
    revoked = client.post(f"{STAFF}/devices/{device.pk}/revoke/")
    again = client.post(f"{STAFF}/devices/{device.pk}/revoke/")

    assert created.status_code == 201
    token = created.json()["token"]
    assert created.json()["name"] == "Display 2nd floor"
    assert DeviceToken.active_for(token) is None  # revoked now
    assert device.created_by == user
    assert token not in listed.content.decode()
    assert listed.json()["results"][0]["teams"] == [office["team"].pk]
    assert revoked.json()["revoked_at"] is not None
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]
    assert Event.objects.filter(action="device_token.revoked").count() == 1


def test_a_device_needs_a_name_and_teams(staff_api):
    client, _user = staff_api(SUPERVISOR)
    response = client.post(f"{STAFF}/devices/create/", {"name": " ", "teams": []}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"name", "teams"}
    assert not DeviceToken.objects.exists()


def test_an_unknown_slot_for_a_follow_up_is_a_409(staff_api, office):
    client, _user = staff_api(CASEWORKER)
    appointment = checked_in(office)
    Appointment.objects.filter(pk=appointment.pk).update(status=Status.COMPLETED)
    response = client.post(
        f"{STAFF}/appointments/{appointment.pk}/follow-up/", {"slot": 10**12}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "slot_unavailable")
    assert Slot.objects.filter(booked__gt=0).count() == 1
    assert timezone.now() == NOW


# --- The office day: counters, no-shows undone, colleagues, corrections ------------------------


def test_calls_without_a_counter_are_a_400_and_the_chosen_counter_is_remembered(staff_api, office):
    client, user = staff_api(CASEWORKER)
    team = office["team"]
    first, second = checked_in(office, 1), checked_in(office, 2)
    refused = client.post(f"{STAFF}/teams/{team.pk}/call-next/", {}, format="json")
    row = client.post(f"{STAFF}/appointments/{first.pk}/call/", {}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "no_counter")
    assert (row.status_code, row.json()["code"]) == (400, "no_counter")
    counter = office["counters"][1]
    chosen = client.post(
        f"{STAFF}/teams/{team.pk}/call-next/", {"counter": counter.pk}, format="json"
    )
    remembered = client.post(f"{STAFF}/teams/{team.pk}/call-next/", {}, format="json")
    assert chosen.json()["counter"] == remembered.json()["counter"] == counter.number
    assert {chosen.json()["id"], remembered.json()["id"]} == {first.pk, second.pk}
    assert chosen.json()["priority_level"] == "appointment"
    assert chosen.json()["served_by"] == user.get_username()


def test_check_in_readmits_a_no_show_of_today_only_when_confirmed(staff_api, office):
    client, _user = staff_api(RECEPTION)
    appointment = checked_in(office)
    queue.mark_no_show(appointment_id=appointment.pk, confirm=True)
    asked = client.post(f"{STAFF}/check-in/", {"code": appointment.code}, format="json")
    assert (asked.status_code, asked.json()["code"]) == (409, "confirmation_required")
    assert Appointment.objects.get(pk=appointment.pk).status == Status.NO_SHOW
    admitted = client.post(
        f"{STAFF}/check-in/", {"code": appointment.code, "readmit": True}, format="json"
    )
    assert admitted.status_code == 200 and admitted.json()["status"] == "checked_in"


def test_a_colleagues_resident_is_refused_until_taken_over_and_the_outcome_corrected(
    staff_api, office
):
    anna, _anna_user = staff_api(CASEWORKER)
    ben, ben_user = staff_api(CASEWORKER)
    appointment = checked_in(office)
    base = f"{STAFF}/appointments/{appointment.pk}"
    anna.post(f"{base}/call/", {"counter": office["counters"][0].pk}, format="json")
    refused = ben.post(f"{base}/start/")
    assert (refused.status_code, refused.json()["code"]) == (409, "handled_by_colleague")
    taken = ben.post(f"{base}/take-over/")
    assert taken.status_code == 200 and taken.json()["served_by"] == ben_user.get_username()
    assert ben.post(f"{base}/start/").json()["status"] == "in_service"
    ben.post(f"{base}/finish/", {"outcome": Outcome.OTHER}, format="json")
    fixed = ben.post(
        f"{base}/correct-outcome/", {"outcome": Outcome.DOCUMENTS_MISSING}, format="json"
    )
    assert fixed.status_code == 200 and fixed.json()["outcome"] == "documents_missing"


def test_a_last_recall_needs_confirm_before_it_marks_a_no_show(staff_api, office, settings):
    settings.MAX_UNANSWERED_CALLS = 1
    client, _user = staff_api(CASEWORKER)
    appointment = checked_in(office)
    base = f"{STAFF}/appointments/{appointment.pk}"
    client.post(f"{base}/call/", {"counter": office["counters"][0].pk}, format="json")
    with time_machine.travel(NOW + dt.timedelta(minutes=2), tick=False):
        asked = client.post(f"{base}/recall/", {}, format="json")
        gone = client.post(f"{base}/recall/", {"confirm": True}, format="json")
    assert (asked.status_code, asked.json()["code"]) == (409, "confirmation_required")
    assert gone.json()["status"] == "no_show"
