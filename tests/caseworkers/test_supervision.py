"""Supervisor screens: capacity (rules with preview, closures with the affected, counters), the
audit log, display device tokens, and the brute-force lockout of the staff login."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone

from appointments import booking, capacity
from appointments.availability import local_datetime, public_holiday
from appointments.models import (
    Appointment,
    CancellationReason,
    Closure,
    Contingent,
    Counter,
    Event,
    OpeningRule,
    OutboxMessage,
    Slot,
    Status,
)
from appointments.scheduling import generate_slots
from caseworkers.audit import EXPORTED, VIEWED, log_personal_data_access
from caseworkers.models import DeviceToken
from tests.factories import (
    PASSWORD,
    ServiceFactory,
    TeamFactory,
    bookable_slot,
    person,
    route_all,
    rule_for,
    staff,
)

pytestmark = pytest.mark.django_db

MANAGE = "/backoffice/manage/"
# A Monday one week before Easter Monday 2027 (a public holiday in Hesse), before opening.
MONDAY = dt.date(2027, 3, 22)
EASTER_MONDAY = dt.date(2027, 3, 29)


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are asserted in English, the source language (the default is German)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def monday(client, supervisor_user):
    """Monday 22 March 2027, 06:00 (a week before Easter Monday), logged in as supervisor."""
    with time_machine.travel(at(MONDAY, 6), tick=False):
        client.force_login(supervisor_user)
        yield client


@pytest.fixture(autouse=True)
def _mail_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def at(day, hour, minute=0):
    return local_datetime(day, dt.time(hour, minute))


def rule_data(**overrides):
    data = {
        "weekday": "0",
        "start_time": "08:00",
        "end_time": "09:00",
        "slot_minutes": "20",
        "capacity": "3",
        "online_capacity": "2",
        "services": [],
        "valid_from": "2020-01-01",
        "valid_until": "",
    }
    data.update(overrides)
    return data


def text(response):
    return response.content.decode()


def booked(slot, service, n=1, channel="staff"):
    appointment, _token = booking.book(
        service=service, slot_id=slot.pk, person=person(n), channel=channel
    )
    return appointment


# --- Who may enter -------------------------------------------------------------------------


@pytest.fixture
def objects():
    _service, team, slot = bookable_slot()
    closure = Closure.objects.create(
        team=team,
        start=timezone.now() + dt.timedelta(days=20),
        end=timezone.now() + dt.timedelta(days=21),
        reason="Staff meeting",
    )
    counter = Counter.objects.create(team=team, number="1")
    device, _token = DeviceToken.issue(name="Waiting room", teams=[team])
    return {
        "team": team.pk,
        "rule": slot.rule_id,
        "closure": closure.pk,
        "counter": counter.pk,
        "device": device.pk,
    }


PAGES = [
    ("get", ""),
    ("get", "teams/{team}/"),
    ("get", "teams/{team}/rules/new/"),
    ("get", "rules/{rule}/"),
    ("get", "rules/{rule}/delete/"),
    ("post", "rules/{rule}/delete/"),
    ("get", "closures/new/"),
    ("post", "closures/new/"),
    ("get", "closures/{closure}/delete/"),
    ("post", "closures/{closure}/delete/"),
    ("get", "teams/{team}/counters/new/"),
    ("get", "counters/{counter}/"),
    ("post", "counters/{counter}/active/"),
    ("get", "audit/"),
    ("get", "devices/"),
    ("get", "devices/new/"),
    ("post", "devices/new/"),
    ("get", "devices/{device}/"),
    ("get", "devices/{device}/revoke/"),
    ("post", "devices/{device}/revoke/"),
]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_anonymous_users_are_sent_to_the_login(client, objects, method, path):
    url = MANAGE + path.format(**objects)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/backoffice/login/?next=")


@pytest.mark.parametrize("role", ["caseworker", "reception"])
@pytest.mark.parametrize(("method", "path"), PAGES)
def test_other_roles_are_refused_and_change_nothing(client, login_as, objects, role, method, path):
    login_as(role)
    events = Event.objects.count()
    response = getattr(client, method)(MANAGE + path.format(**objects))
    assert response.status_code == 403
    assert Event.objects.count() == events
    assert OpeningRule.objects.filter(pk=objects["rule"]).exists()
    assert Closure.objects.filter(pk=objects["closure"]).exists()
    assert DeviceToken.objects.get(pk=objects["device"]).revoked_at is None


@pytest.mark.parametrize("role", ["supervisor", "administrator"])
@pytest.mark.parametrize(("method", "path"), [page for page in PAGES if page[0] == "get"])
def test_supervisors_and_administrators_see_every_page(
    client, login_as, objects, role, method, path
):
    login_as(role)
    assert client.get(MANAGE + path.format(**objects)).status_code == 200


# --- Opening rules -------------------------------------------------------------------------


@time_machine.travel(at(MONDAY, 6), tick=False)
def test_preview_lists_two_weeks_of_slots_and_skips_the_holiday_and_closures():
    team = TeamFactory()
    Closure.objects.create(
        team=None, start=at(MONDAY, 8, 20), end=at(MONDAY, 8, 40), reason="Staff meeting"
    )
    Closure.objects.create(
        team=TeamFactory(), start=at(MONDAY, 8), end=at(MONDAY, 9), reason="Other team"
    )
    rule = OpeningRule(
        team=team,
        weekday=0,
        start_time=dt.time(8),
        end_time=dt.time(9),
        slot_minutes=20,
        capacity=3,
        online_capacity=2,
        valid_from=dt.date(2020, 1, 1),
    )

    preview = capacity.preview_rule(rule=rule)

    # Two weeks from Monday hold two Mondays; the third is not shown.
    assert [entry.day for entry in preview] == [MONDAY, EASTER_MONDAY]
    first, holiday = preview
    # 08:20–08:40 on the first Monday is closed for the staff meeting.
    assert [timezone.localtime(s.start).time() for s in first.slots] == [
        dt.time(8, 0),
        dt.time(8, 40),
    ]
    assert first.closed_windows == 1
    assert first.closure_reasons == ["Staff meeting"]
    assert (first.slots[0].online, first.slots[0].internal) == (2, 1)
    assert holiday.holiday == public_holiday(EASTER_MONDAY)
    assert holiday.slots == []


def test_the_preview_button_shows_the_slots_without_saving(monday):
    team, service = TeamFactory(), ServiceFactory()
    response = monday.post(
        f"{MANAGE}teams/{team.pk}/rules/new/",
        rule_data(services=[service.pk], action="preview"),
    )
    assert response.status_code == 200
    page = text(response)
    assert "08:00–08:20 (2 / 1)" in page
    assert "08:40–09:00 (2 / 1)" in page
    assert public_holiday(EASTER_MONDAY) in page
    assert "In total 3 slots with 6 places online and 3 internal places." in page
    assert not OpeningRule.objects.exists()
    assert not Slot.objects.exists()


def test_saving_a_rule_generates_its_slots_at_once_and_logs_who(monday, supervisor_user):
    team, service = TeamFactory(), ServiceFactory()
    response = monday.post(
        f"{MANAGE}teams/{team.pk}/rules/new/",
        rule_data(services=[service.pk], action="save"),
    )
    assert response.status_code == 302
    rule = OpeningRule.objects.get(team=team)
    assert list(rule.services.all()) == [service]
    days = {timezone.localdate(s.start) for s in Slot.objects.filter(rule=rule)}
    assert MONDAY in days
    assert EASTER_MONDAY not in days
    assert (
        Slot.objects.filter(rule=rule, start=at(MONDAY, 8), contingent="online").get().capacity == 2
    )
    event = Event.objects.get(action="opening_rule.created")
    assert event.actor == supervisor_user
    assert event.data["rule"] == rule.pk


def test_shortening_a_rule_removes_free_slots_and_warns_about_booked_ones(monday):
    service, team = ServiceFactory(), TeamFactory()
    route_all(service, team)
    rule = rule_for(team, [service], weekday=0, start="08:00", end="10:00", online_capacity=3)
    generate_slots()
    late = Slot.objects.get(rule=rule, start=at(MONDAY, 9, 40), contingent=Contingent.ONLINE)
    appointment = booked(late, service)
    edit = f"{MANAGE}rules/{rule.pk}/"

    preview = monday.post(
        edit, rule_data(end_time="09:00", services=[service.pk], action="preview")
    )
    assert appointment.code in text(preview)
    assert "Muster1" not in text(preview)
    rule.refresh_from_db()
    assert rule.end_time == dt.time(10)

    # Save asks first, as a closure does: nothing changes until the list is confirmed.
    unconfirmed = monday.post(
        edit, rule_data(end_time="09:00", services=[service.pk], action="save")
    )
    assert unconfirmed.status_code == 200
    assert "Saving cancels the appointments listed below" in text(unconfirmed)
    rule.refresh_from_db()
    assert rule.end_time == dt.time(10)
    checksum = re.search(r'name="checksum" value="(\w+)"', text(unconfirmed)).group(1)
    assert (
        monday.post(
            edit,
            rule_data(end_time="09:00", services=[service.pk], action="save", checksum=checksum),
        ).status_code
        == 302
    )
    assert not Slot.objects.filter(start=at(MONDAY, 9, 20)).exists()
    late.refresh_from_db()
    assert late.closed
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert appointment.cancellation_reason == CancellationReason.HOURS
    assert Event.objects.filter(action="opening_rule.changed").exists()


def test_deleting_a_rule_removes_its_future_slots(monday):
    service, team = ServiceFactory(), TeamFactory()
    rule = rule_for(team, [service], weekday=0)
    generate_slots()
    assert Slot.objects.filter(rule=rule).exists()
    assert monday.post(f"{MANAGE}rules/{rule.pk}/delete/").status_code == 302
    assert not OpeningRule.objects.filter(pk=rule.pk).exists()
    assert not Slot.objects.filter(team=team).exists()
    assert Event.objects.get(action="opening_rule.deleted").data["team"] == team.pk


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_time": "07:00"}, "The window must end after it starts."),
        ({"online_capacity": "4"}, "Cannot exceed the places per slot."),
        ({"valid_until": "2019-01-01"}, "Must not be before the start of validity."),
        ({"slot_minutes": "90"}, "The window is shorter than one slot."),
        ({"start_time": "25:99"}, "Please enter a valid time, for example 08:30."),
        ({"valid_from": "yesterday"}, "Please enter a valid date, for example 2026-04-23."),
        ({"valid_from": "0001-01-01"}, "Please enter a date between"),
        ({"capacity": "0"}, "greater than or equal to 1"),
        ({"slot_minutes": "abc"}, "Enter a whole number."),
        ({"weekday": "9"}, "Select a valid choice."),
        ({"services": ["999999"]}, "Select a valid choice."),
        ({"services": []}, "Choose at least one service."),
    ],
)
@pytest.mark.parametrize("action", ["preview", "save"])
def test_bad_rules_are_explained_and_nothing_is_saved(
    supervisor_client, overrides, message, action
):
    team, service = TeamFactory(), ServiceFactory()
    data = rule_data(services=[service.pk], action=action)
    data.update(overrides)
    response = supervisor_client.post(f"{MANAGE}teams/{team.pk}/rules/new/", data)
    assert response.status_code == 200
    assert message in text(response)
    assert not OpeningRule.objects.exists()
    assert not Event.objects.exists()


def test_the_team_page_needs_the_same_queries_for_many_rules(
    supervisor_client, django_assert_max_num_queries
):
    team, services = TeamFactory(), [ServiceFactory(), ServiceFactory()]
    for weekday in range(5):
        rule_for(team, services, weekday=weekday)
        Counter.objects.create(team=team, number=str(weekday))
    with django_assert_max_num_queries(10):
        page = text(supervisor_client.get(f"{MANAGE}teams/{team.pk}/"))
    assert page.count(services[1].name) == 5


def test_unknown_ids_are_404_not_500(supervisor_client):
    for path in (
        "teams/999/",
        "rules/999/",
        "rules/999/delete/",
        "closures/999/delete/",
        "counters/999/",
        "devices/999/",
        "devices/999/revoke/",
    ):
        assert supervisor_client.get(MANAGE + path).status_code == 404
    assert supervisor_client.get(MANAGE + "teams/99999999999999999999/").status_code == 404
    for team in ("abc", "99999999999999999999", "-1"):
        assert supervisor_client.get(MANAGE + f"closures/new/?team={team}").status_code == 200
    assert (
        supervisor_client.post(
            MANAGE + "devices/new/", {"name": "x", "teams": ["99999999999999999999"]}
        ).status_code
        == 200
    )
    assert (
        supervisor_client.post(
            MANAGE + "closures/new/", {"team": "99999999999999999999"}
        ).status_code
        == 200
    )


# --- Closures ------------------------------------------------------------------------------


def closure_data(slot, **overrides):
    day = timezone.localdate(slot.start)
    data = {
        "team": slot.team_id,
        "start": f"{day.isoformat()}T00:00",
        "end": f"{(day + dt.timedelta(days=1)).isoformat()}T00:00",
        "reason": "Staff meeting",
    }
    data.update(overrides)
    return data


def test_closure_preview_lists_the_affected_minimally_and_changes_nothing(supervisor_client):
    service, team, slot = bookable_slot(days_ahead=5)
    first = booked(slot, service, 1)
    held = booked(slot, service, 2, channel="online")
    other_team_slot = bookable_slot(days_ahead=5)[2]

    response = supervisor_client.post(
        f"{MANAGE}closures/new/", {**closure_data(slot), "action": "preview"}
    )

    page = text(response)
    assert response.status_code == 200
    assert first.code in page and held.code in page
    assert "M." in page
    assert "Muster1" not in page and "Erika" not in page
    assert "2 appointments will be cancelled" in page
    assert not Closure.objects.exists()
    first.refresh_from_db()
    assert first.status == Status.BOOKED
    assert other_team_slot.team_id != team.pk


def _confirm(supervisor_client, slot, **overrides):
    data = closure_data(slot, **overrides)
    preview = supervisor_client.post(f"{MANAGE}closures/new/", {**data, "action": "preview"})
    checksum = re.search(r'name="checksum" value="(\w+)"', text(preview)).group(1)
    return supervisor_client.post(
        f"{MANAGE}closures/new/", {**data, "action": "confirm", "checksum": checksum}
    )


def test_confirming_a_closure_cancels_the_affected_and_writes_their_mails(
    supervisor_client, supervisor_user, django_capture_on_commit_callbacks
):
    service, team, slot = bookable_slot(days_ahead=5)
    appointment = booked(slot, service)
    elsewhere = bookable_slot(days_ahead=5)
    untouched = booked(elsewhere[2], elsewhere[0], 7)

    with django_capture_on_commit_callbacks(execute=False):
        response = _confirm(supervisor_client, slot)

    assert response.status_code == 302
    closure = Closure.objects.get()
    assert closure.team == team
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert appointment.cancellation_reason == CancellationReason.CLOSURE
    assert OutboxMessage.objects.filter(appointment=appointment, kind="cancellation").exists()
    slot.refresh_from_db()
    assert slot.closed
    untouched.refresh_from_db()
    assert untouched.status == Status.BOOKED
    event = Event.objects.get(action="closure.created")
    assert event.actor == supervisor_user and event.data["closure"] == closure.pk


def test_a_closure_of_the_whole_office_cancels_in_every_team(supervisor_client):
    first = bookable_slot(days_ahead=5)
    second = bookable_slot(days_ahead=5)
    a, b = booked(first[2], first[0], 1), booked(second[2], second[0], 2)
    assert _confirm(supervisor_client, first[2], team="").status_code == 302
    assert Closure.objects.get().team is None
    assert set(
        Appointment.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)
    ) == {Status.CANCELLED}


def test_a_closure_beyond_the_slot_horizon_still_cancels_what_is_booked_there(
    supervisor_client, settings
):
    service, _team, slot = bookable_slot(days_ahead=settings.SLOT_HORIZON_DAYS + 10)
    appointment = booked(slot, service)
    assert _confirm(supervisor_client, slot).status_code == 302
    appointment.refresh_from_db()
    slot.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert slot.closed


def test_a_closure_is_not_confirmed_when_the_affected_changed_after_the_preview(supervisor_client):
    service, _team, slot = bookable_slot(days_ahead=5)
    data = closure_data(slot)
    preview = supervisor_client.post(f"{MANAGE}closures/new/", {**data, "action": "preview"})
    checksum = re.search(r'name="checksum" value="(\w+)"', text(preview)).group(1)
    late = booked(slot, service, 3)

    response = supervisor_client.post(
        f"{MANAGE}closures/new/", {**data, "action": "confirm", "checksum": checksum}
    )

    assert response.status_code == 200
    assert late.code in text(response)
    assert not Closure.objects.exists()
    late.refresh_from_db()
    assert late.status == Status.BOOKED


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"end": "2020-01-01T00:00", "start": "2019-12-31T00:00"},
            "A closure must end in the future.",
        ),
        (
            {"start": "2199-01-02T00:00", "end": "2199-01-01T00:00"},
            "The closure must end after it starts.",
        ),
        ({"start": "soon"}, "Please enter a valid date and time"),
        ({"start": "0001-01-01T00:00"}, "Please enter a date between"),
        ({"end": "9999-12-31T23:59"}, "Please enter a date between"),
        ({"reason": ""}, "This field is required."),
        ({"team": "999999"}, "Select a valid choice."),
    ],
)
@pytest.mark.parametrize("action", ["preview", "confirm"])
def test_bad_closures_are_explained_and_nothing_is_saved(
    supervisor_client, overrides, message, action
):
    _service, _team, slot = bookable_slot(days_ahead=5)
    data = {**closure_data(slot, **overrides), "action": action, "checksum": "x"}
    response = supervisor_client.post(f"{MANAGE}closures/new/", data)
    assert response.status_code == 200
    assert message in text(response)
    assert not Closure.objects.exists()


def test_removing_a_closure_reopens_its_slots(supervisor_client):
    service, team = ServiceFactory(), TeamFactory()
    day = timezone.localdate() + dt.timedelta(days=7)
    rule_for(team, [service], weekday=day.weekday())
    closure = Closure.objects.create(
        team=team, start=at(day, 0), end=at(day + dt.timedelta(days=1), 0), reason="Training"
    )
    generate_slots()
    assert not Slot.objects.filter(team=team, start__date=day).exists()
    assert supervisor_client.post(f"{MANAGE}closures/{closure.pk}/delete/").status_code == 302
    assert not Closure.objects.exists()
    assert Slot.objects.filter(team=team, start__gte=at(day, 0), start__lt=at(day, 23)).exists()
    assert Event.objects.filter(action="closure.deleted").exists()


def test_a_closure_that_has_ended_cannot_be_removed(supervisor_client):
    team = TeamFactory()
    closure = Closure.objects.create(
        team=team,
        start=timezone.now() - dt.timedelta(days=2),
        end=timezone.now() - dt.timedelta(days=1),
        reason="Past",
    )
    assert supervisor_client.post(f"{MANAGE}closures/{closure.pk}/delete/").status_code == 404
    assert Closure.objects.filter(pk=closure.pk).exists()


# --- Counters ------------------------------------------------------------------------------


def test_counters_are_added_renamed_and_deactivated(supervisor_client):
    team = TeamFactory()
    assert (
        supervisor_client.post(
            f"{MANAGE}teams/{team.pk}/counters/new/", {"number": " 3 ", "active": "on"}
        ).status_code
        == 302
    )
    counter = Counter.objects.get(team=team)
    assert (counter.number, counter.active) == ("3", True)

    assert (
        supervisor_client.post(
            f"{MANAGE}counters/{counter.pk}/", {"number": "3a", "active": "on"}
        ).status_code
        == 302
    )
    counter.refresh_from_db()
    assert counter.number == "3a"

    assert (
        supervisor_client.post(
            f"{MANAGE}counters/{counter.pk}/active/", {"active": "0"}
        ).status_code
        == 302
    )
    counter.refresh_from_db()
    assert not counter.active
    assert Event.objects.filter(action="counter.changed").count() == 2


def test_a_duplicate_counter_name_is_refused(supervisor_client):
    team = TeamFactory()
    Counter.objects.create(team=team, number="1A")
    response = supervisor_client.post(f"{MANAGE}teams/{team.pk}/counters/new/", {"number": "1a"})
    assert response.status_code == 200
    assert "This team already has a counter with this name." in text(response)
    assert Counter.objects.filter(team=team).count() == 1
    # The same name in another team is fine.
    other = TeamFactory()
    assert (
        supervisor_client.post(
            f"{MANAGE}teams/{other.pk}/counters/new/", {"number": "1A"}
        ).status_code
        == 302
    )


# --- Audit log -----------------------------------------------------------------------------


@pytest.fixture
def history(supervisor_user):
    service, _team, slot = bookable_slot()
    appointment = booked(slot, service)
    clerk = staff("caseworker", username="sachbearbeitung")
    Event.objects.create(
        action="personal_data.viewed",
        actor=clerk,
        appointment=appointment,
        at=timezone.now() - dt.timedelta(days=10),
        data={"view": "x"},
    )
    Event.objects.create(action="closure.created", actor=supervisor_user, data={"closure": 1})
    return appointment


def test_the_audit_log_shows_newest_first_and_is_not_logged_itself(supervisor_client, history):
    events = Event.objects.count()
    response = supervisor_client.get(f"{MANAGE}audit/")
    page = text(response)
    assert response.status_code == 200
    assert (
        page.index("closure.created")
        < page.index("appointment.booked")
        < page.index("personal_data.viewed")
    )
    assert history.code in page
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"action": "personal_data."}, ["personal_data.viewed"], ["closure.created"]),
        ({"user": "SACHBEARBEITUNG"}, ["personal_data.viewed"], ["closure.created"]),
        ({"code": "CODE"}, ["personal_data.viewed", "appointment.booked"], ["closure.created"]),
        (
            {"date_from": "TODAY"},
            ["closure.created", "appointment.booked"],
            ["personal_data.viewed"],
        ),
        ({"date_to": "EARLIER"}, ["personal_data.viewed"], ["closure.created"]),
    ],
)
def test_the_audit_log_filters(supervisor_client, history, query, shown, hidden):
    today = timezone.localdate()
    values = {
        "CODE": history.code.lower(),
        "TODAY": today.isoformat(),
        "EARLIER": (today - dt.timedelta(days=5)).isoformat(),
    }
    query = {key: values.get(value, value) for key, value in query.items()}
    page = text(supervisor_client.get(f"{MANAGE}audit/", query))
    body = page[page.index("<tbody>") :]
    for action in shown:
        assert action in body
    for action in hidden:
        assert action not in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "31.02.2026"}, "Please enter a valid date"),
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "must not be before its start"),
        ({"date_to": "9999-12-31"}, "Please enter a date between"),
        ({"user": "nobody"}, "There is no staff member with this username."),
        ({"code": "not-a-code!"}, "A booking code has 8 letters and digits"),
    ],
)
def test_bad_audit_filters_are_explained(supervisor_client, history, query, message):
    response = supervisor_client.get(f"{MANAGE}audit/", query)
    assert response.status_code == 200
    assert message in text(response)
    assert "personal_data.viewed" not in text(response)[text(response).index("<tbody>") :]


def test_the_audit_log_is_paginated_in_few_queries(
    supervisor_client, supervisor_user, django_assert_max_num_queries
):
    Event.objects.bulk_create(
        Event(action=f"test.{n}", actor=supervisor_user, data={"n": n}) for n in range(120)
    )
    with django_assert_max_num_queries(8):
        first = text(supervisor_client.get(f"{MANAGE}audit/", {"action": "test."}))
    assert "120 entries" in first and "Page 1 of 3" in first
    last = text(supervisor_client.get(f"{MANAGE}audit/", {"action": "test.", "page": "3"}))
    assert "test.0<" in last and "test.119<" not in last
    # A nonsense page number shows the first page instead of failing.
    assert supervisor_client.get(f"{MANAGE}audit/", {"page": "x'"}).status_code == 200


def test_personal_data_access_is_logged_without_personal_data(supervisor_user):
    service, _team, slot = bookable_slot()
    appointment = booked(slot, service)
    request = RequestFactory().get(f"/backoffice/visits/{appointment.pk}/")
    request.user = supervisor_user
    request.resolver_match = resolve("/backoffice/manage/audit/")

    event = log_personal_data_access(request=request, appointment=appointment, what=VIEWED)
    export = log_personal_data_access(request=request, appointment=None, what=EXPORTED, count=12)

    assert (event.action, event.actor, event.appointment) == (
        "personal_data.viewed",
        supervisor_user,
        appointment,
    )
    assert event.data == {"view": "caseworkers:supervision:audit"}
    assert export.action == "personal_data.exported" and export.data["count"] == 12
    stored = json.dumps([event.data, export.data])
    for secret in (appointment.surname, appointment.given_names, appointment.email):
        assert secret not in stored
    with pytest.raises(ValueError):
        log_personal_data_access(request=request, appointment=appointment, what="printed")


# --- Device tokens -------------------------------------------------------------------------


def test_a_device_token_is_shown_once_and_works_until_revoked(supervisor_client, supervisor_user):
    team = TeamFactory()
    response = supervisor_client.post(
        f"{MANAGE}devices/new/", {"name": "Waiting room 1", "teams": [team.pk]}
    )
    device = DeviceToken.objects.get()
    assert response["Location"] == f"{MANAGE}devices/{device.pk}/"
    assert list(device.teams.all()) == [team]

    shown = supervisor_client.get(response["Location"])
    token = re.search(r"/backoffice/display/\?device=([\w-]+)", text(shown)).group(1)
    assert shown["Cache-Control"].startswith("max-age=0")
    assert DeviceToken.active_for(token) == device
    assert token not in text(supervisor_client.get(response["Location"]))
    assert token not in text(supervisor_client.get(f"{MANAGE}devices/"))
    assert Event.objects.get(action="device_token.issued").actor == supervisor_user

    assert supervisor_client.post(f"{MANAGE}devices/{device.pk}/revoke/").status_code == 302
    assert DeviceToken.active_for(token) is None
    assert Event.objects.filter(action="device_token.revoked").count() == 1
    # Revoking again changes nothing and logs nothing.
    supervisor_client.post(f"{MANAGE}devices/{device.pk}/revoke/")
    assert Event.objects.filter(action="device_token.revoked").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "   ", "teams": []}, "This field is required."),
        ({"name": "Kiosk", "teams": []}, "Choose at least one team."),
        ({"name": "Kiosk", "teams": ["x"]}, "is not a valid value."),
        ({"name": "K" * 101, "teams": []}, "at most 100 characters"),
    ],
)
def test_bad_device_input_is_explained(supervisor_client, data, message):
    TeamFactory()
    response = supervisor_client.post(f"{MANAGE}devices/new/", data)
    assert response.status_code == 200
    assert message in text(response)
    assert not DeviceToken.objects.exists()


# --- Brute-force protection ----------------------------------------------------------------


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/backoffice/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_the_login_locks_after_repeated_failures(client, settings, supervisor_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "teamleitung", "wrong").status_code == 200
    locked = _login(
        client,
        "teamleitung",
        "wrong",
    )
    assert locked.status_code == 429
    assert "Login locked" in text(locked)
    assert "30" in text(locked)

    # Even the right password is refused while locked, from that address.
    assert _login(client, "teamleitung", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address may still log in.
    assert _login(client, "teamleitung", PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, settings, supervisor_user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _login(client, "teamleitung", "wrong")
        assert _login(client, "teamleitung", PASSWORD).status_code == 429
        traveller.shift(settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1))
        assert _login(client, "teamleitung", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_failure_count(client, settings, supervisor_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "teamleitung", "wrong")
    assert _login(client, "teamleitung", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "teamleitung", "wrong").status_code == 200
