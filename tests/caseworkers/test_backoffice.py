"""Backoffice screens: roles, reception, the queue page, the visit, day list, call display."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments import queue
from appointments.models import Appointment, Counter, Event, Slot, Status
from caseworkers.models import DeviceToken
from tests.appointments.test_queue import at_hour, booked_today
from tests.factories import desk_of

pytestmark = pytest.mark.django_db


PAGES = {
    # path template → roles allowed
    "/backoffice/reception/": {"reception", "supervisor", "administrator"},
    "/backoffice/reception/walk-in/": {"reception", "supervisor", "administrator"},
    "/backoffice/queue/{team}/": {"caseworker", "supervisor", "administrator"},
    "/backoffice/queue/{team}/board/": {"caseworker", "supervisor", "administrator"},
    "/backoffice/queue/{team}/day/": {"caseworker", "reception", "supervisor", "administrator"},
    "/backoffice/visits/{appointment}/": {"caseworker", "supervisor", "administrator"},
    "/backoffice/messages/": {"supervisor", "administrator"},
}


@pytest.mark.parametrize("path", list(PAGES))
def test_every_staff_page_refuses_anonymous_users_and_wrong_roles(client, login_as, path):
    appointment = booked_today(1)
    url = path.format(team=appointment.slot.team_id, appointment=appointment.pk)
    response = client.get(url)
    assert response.status_code == 302 and "/backoffice/login/" in response["Location"]
    for role in ("reception", "caseworker", "supervisor", "administrator", None):
        client.logout()
        user = login_as(role)
        expected = 200 if role in PAGES[path] else 403
        assert client.get(url).status_code == expected, (role, url)
        user.delete()


def test_state_changing_backoffice_posts_refuse_wrong_roles(client, login_as):
    appointment = booked_today(1)
    login_as("caseworker")
    assert client.post(f"/backoffice/reception/{appointment.pk}/check-in/").status_code == 403
    client.logout()
    login_as("reception")
    assert client.post(f"/backoffice/queue/{appointment.slot.team_id}/next/").status_code == 403
    assert client.post(f"/backoffice/visits/{appointment.pk}/call/").status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED


def test_reception_finds_by_code_or_name_and_checks_in(client, login_as):
    appointment = booked_today(1)
    user = login_as("reception")
    with time_machine.travel(at_hour(9, 50), tick=False):
        page = client.get("/backoffice/reception/", {"code": appointment.code.lower()})
        assert appointment.surname in page.content.decode()
        by_name = client.post(
            "/backoffice/reception/",
            {"surname": appointment.surname.upper(), "date_of_birth": "1990-01-01"},
        )
        assert appointment.code in by_name.content.decode()
        response = client.post(f"/backoffice/reception/{appointment.pk}/check-in/", follow=True)
    assert "B-001" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Status.CHECKED_IN
    assert Event.objects.filter(action="personal_data.viewed", actor=user).count() == 2


def test_reception_search_needs_a_code_or_a_surname(client, login_as):
    login_as("reception")
    page = client.post("/backoffice/reception/", {"code": "", "surname": ""})
    assert page.status_code == 200
    assert "alert-danger" in page.content.decode()


def test_reception_finds_todays_appointments_by_surname_alone_as_a_list(client, login_as):
    first = booked_today(1)
    namesake = booked_today(2, team=first.slot.team, service=first.service)
    Appointment.objects.filter(pk=namesake.pk).update(
        surname=first.surname, surname_key=first.surname_key
    )
    tomorrow = booked_today(3, team=first.slot.team, service=first.service, hour=12)
    login_as("reception")
    with time_machine.travel(at_hour(9, 50), tick=False):
        Appointment.objects.filter(pk=tomorrow.pk).update(
            surname=first.surname, surname_key=first.surname_key
        )
        Slot.objects.filter(pk=tomorrow.slot_id).update(
            start=tomorrow.slot.start + dt.timedelta(days=1),
            end=tomorrow.slot.end + dt.timedelta(days=1),
        )
        page = client.post("/backoffice/reception/", {"surname": first.surname.lower()})
    content = page.content.decode()
    assert first.code in content and namesake.code in content
    assert tomorrow.code not in content


def test_reception_searches_by_name_only_in_a_post_never_in_the_address(client, login_as):
    appointment = booked_today(1)
    login_as("reception")
    with time_machine.travel(at_hour(9, 50), tick=False):
        page = client.get("/backoffice/reception/")
        assert '<form method="post" class="row' in page.content.decode()
        in_address = client.get(
            "/backoffice/reception/",
            {"surname": appointment.surname, "date_of_birth": "1990-01-01"},
        )
    assert appointment.code not in in_address.content.decode()
    assert not Event.objects.filter(action="personal_data.viewed").exists()


def test_a_very_late_arrival_is_refused_with_a_reason_unless_accepted(client, login_as):
    appointment = booked_today(1)
    with time_machine.travel(at_hour(11, 30), tick=False):
        login_as("reception")  # logged in earlier, an hour idle would have ended the session
        refused = client.post(f"/backoffice/reception/{appointment.pk}/check-in/", follow=True)
        assert appointment.code in refused.redirect_chain[-1][0]
        appointment.refresh_from_db()
        assert appointment.status == Status.BOOKED
        client.post(f"/backoffice/reception/{appointment.pk}/check-in/", {"accept_late": "1"})
    appointment.refresh_from_db()
    assert appointment.status == Status.CHECKED_IN and appointment.arrived_late


def test_walk_in_form_adds_to_the_queue_and_reports_bad_input(client, login_as):
    appointment = booked_today(1)
    login_as("reception")
    data = {
        "team": appointment.slot.team_id,
        "service": appointment.service_id,
        "surname": "Kaya",
        "given_names": "Ali",
        "date_of_birth": "1985-02-03",
        "nationality": "TR",
        "language": "tr",
        "urgent": "on",
    }
    bad = client.post("/backoffice/reception/walk-in/", {**data, "date_of_birth": "3000-01-01"})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()
    client.post("/backoffice/reception/walk-in/", data)
    walk_in = appointment.slot.team.queue.get(channel="walk_in")
    assert walk_in.priority == 2 and walk_in.status == Status.CHECKED_IN


def test_queue_page_and_board_stay_within_a_fixed_number_of_queries(client, login_as):
    first = booked_today(1, capacity=30)
    team, service = first.slot.team, first.service
    login_as("caseworker")

    def board_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/backoffice/queue/{team.pk}/board/").status_code == 200
        return len(queries)

    with time_machine.travel(at_hour(9, 50), tick=False):
        queue.check_in(appointment_id=first.pk)
        small = board_queries()
        for n in range(2, 22):
            appointment = booked_today(n, team=team, service=service, capacity=30)
            queue.check_in(appointment_id=appointment.pk)
        large = board_queries()
        page = client.get(f"/backoffice/queue/{team.pk}/")
    assert small == large
    assert "B-021" in page.content.decode()


def test_the_caseworker_calls_next_serves_and_finishes_through_the_screens(client, login_as):
    appointment = booked_today(1)
    team = appointment.slot.team
    counter = Counter.objects.create(team=team, number="4")
    login_as("caseworker")
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        called = client.post(f"/backoffice/queue/{team.pk}/next/", {"counter": counter.pk})
        assert called["Location"] == f"/backoffice/visits/{appointment.pk}/"
        visit = client.get(called["Location"]).content.decode()
        assert appointment.surname in visit
        client.post(f"/backoffice/visits/{appointment.pk}/start/")
        twice = client.post(f"/backoffice/visits/{appointment.pk}/start/", follow=True)
        assert "alert-danger" in twice.content.decode()  # a double click is a message, no 500
        client.post(
            f"/backoffice/visits/{appointment.pk}/",
            {"outcome": "title_issued", "note": "eAT übergeben"},
        )
    appointment.refresh_from_db()
    assert appointment.status == Status.COMPLETED and appointment.counter == counter
    assert appointment.outcome == "title_issued"
    empty = client.post(f"/backoffice/queue/{team.pk}/next/", follow=True)
    assert empty.status_code == 200


def test_unknown_actions_and_bad_forward_input_change_nothing(client, login_as):
    appointment = booked_today(1)
    login_as("caseworker")
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        queue.call(appointment_id=appointment.pk, counter=desk_of(appointment.pk))
        client.post(f"/backoffice/visits/{appointment.pk}/explode/")
        client.post(f"/backoffice/visits/{appointment.pk}/forward/", {"team": "x"})
    appointment.refresh_from_db()
    assert appointment.status == Status.CALLED


def test_day_list_prints_and_exports_csv_with_bom(client, login_as):
    appointment = booked_today(1)
    user = login_as("reception")
    team = appointment.slot.team
    day = timezone.localdate().isoformat()
    page = client.get(f"/backoffice/queue/{team.pk}/day/", {"date": day})
    assert appointment.code in page.content.decode()
    export = client.get(f"/backoffice/queue/{team.pk}/day/", {"date": day, "format": "csv"})
    assert export.content.startswith("\ufeff".encode())
    assert appointment.surname.encode() in export.content
    assert Event.objects.filter(action="personal_data.exported", actor=user).exists()
    bad = client.get(f"/backoffice/queue/{team.pk}/day/", {"date": "not-a-date"})
    assert bad.status_code == 400  # the form with its message, nothing listed


def test_the_call_display_shows_numbers_and_counters_but_no_personal_data(client):
    appointment = booked_today(1)
    team = appointment.slot.team
    counter = Counter.objects.create(team=team, number="12")
    device, token = DeviceToken.issue(name="Wartebereich EG", teams=[team])
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        queue.call_next(team=team, counter=counter)
        opened = client.get("/backoffice/display/", {"device": token})
        assert opened["Location"] == "/backoffice/display/"
        page = client.get("/backoffice/display/").content.decode()
        feed = client.get("/backoffice/display/feed/").content.decode()
    for content in (page, feed):
        assert "B-001" in content and "12" in content
        for secret in (
            appointment.surname,
            appointment.given_names,
            appointment.code,
            appointment.email,
            appointment.service.name,
        ):
            assert secret not in content
    device.revoked_at = timezone.now()
    device.save()
    assert client.get("/backoffice/display/feed/").status_code == 403


def test_the_call_display_needs_a_device_token_or_a_login(client):
    assert client.get("/backoffice/display/")["Location"].startswith("/backoffice/login/")
    assert client.get("/backoffice/display/", {"device": "forged"}).status_code == 403
    assert client.get("/backoffice/display/feed/").status_code == 403


def test_follow_up_screen_books_the_pickup(client, login_as, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from tests.factories import ServiceFactory, bookable_slot, route_all

    pickup = ServiceFactory(slug="pickup")
    application = ServiceFactory(follow_up_service=pickup)
    appointment = booked_today(1, service=application)
    team = appointment.slot.team
    route_all(pickup, team)
    _s, _t, internal = bookable_slot(
        service=pickup, team=team, days_ahead=44, contingent="internal"
    )
    login_as("caseworker")
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        queue.call(appointment_id=appointment.pk, counter=desk_of(appointment.pk))
        queue.start_service(appointment_id=appointment.pk)
        queue.finish(appointment_id=appointment.pk, outcome="application_filed")
        visit = client.get(f"/backoffice/visits/{appointment.pk}/").content.decode()
        assert f"/backoffice/visits/{appointment.pk}/follow-up/" in visit
        page = client.get(f"/backoffice/visits/{appointment.pk}/follow-up/")
        assert f'value="{internal.pk}"' in page.content.decode()
        client.post(f"/backoffice/visits/{appointment.pk}/follow-up/", {"slot": internal.pk})
        client.post(f"/backoffice/visits/{appointment.pk}/follow-up/", {"slot": "nonsense"})
    follow_up = appointment.case.appointments.get(channel="follow_up")
    assert follow_up.slot == internal and follow_up.status == Status.BOOKED
    assert timezone.localdate(follow_up.slot.start) == timezone.localdate() + dt.timedelta(days=44)
