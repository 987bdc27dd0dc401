"""The queue screens on an office day: the counter of the day, confirmation pages for
no-shows and readmission, the handler shown and taking over, the outcome corrected."""

import re

import pytest
import time_machine
from django.test import Client

from appointments import queue
from appointments.models import Appointment, Counter, CounterChoice, Event, Priority, Status
from tests.appointments.test_queue import at_hour, booked_today
from tests.factories import desk, person

pytestmark = pytest.mark.django_db


def test_a_row_call_without_a_counter_is_refused_and_the_chosen_counter_is_kept(client, login_as):
    appointment = booked_today(1)
    team = appointment.slot.team
    counter = Counter.objects.create(team=team, number="4")
    user = login_as("caseworker")
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        refused = client.post(f"/backoffice/visits/{appointment.pk}/call/", follow=True)
        assert refused.redirect_chain[-1][0] == f"/backoffice/queue/{team.pk}/"
        assert "alert-danger" in refused.content.decode()
        assert Appointment.objects.get(pk=appointment.pk).status == Status.CHECKED_IN
        nothing = client.post(f"/backoffice/queue/{team.pk}/next/", follow=True)
        assert Appointment.objects.get(pk=appointment.pk).status == Status.CHECKED_IN
        assert "alert-danger" in nothing.content.decode()
        client.post(f"/backoffice/queue/{team.pk}/counter/", {"counter": counter.pk})
        # a new login (another browser) the same day still knows the counter
        other_browser = Client()
        other_browser.force_login(user)
        page = other_browser.get(f"/backoffice/queue/{team.pk}/").content.decode()
        assert f'value="{counter.pk}" selected' in page
        other_browser.post(f"/backoffice/visits/{appointment.pk}/call/")
    called = Appointment.objects.get(pk=appointment.pk)
    assert called.status == Status.CALLED and called.counter == counter
    assert CounterChoice.objects.get(user=user).counter == counter


def test_not_there_asks_first_and_marks_only_after_the_confirmation(client, login_as):
    appointment = booked_today(1)
    login_as("caseworker")
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        asked = client.post(f"/backoffice/visits/{appointment.pk}/no_show/")
        assert asked.status_code == 200 and 'name="confirm" value="1"' in asked.content.decode()
        assert Appointment.objects.get(pk=appointment.pk).status == Status.CHECKED_IN
        client.post(f"/backoffice/visits/{appointment.pk}/no_show/", {"confirm": "1"})
    assert Appointment.objects.get(pk=appointment.pk).status == Status.NO_SHOW


def test_reception_readmits_a_no_show_after_the_confirmation_page(client, login_as):
    appointment = booked_today(1)
    login_as("reception")
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        queue.mark_no_show(appointment_id=appointment.pk, confirm=True)
        found = client.get("/backoffice/reception/", {"code": appointment.code}).content.decode()
        assert f"/backoffice/reception/{appointment.pk}/check-in/" in found
        url = f"/backoffice/reception/{appointment.pk}/check-in/"
        asked = client.post(url)
        assert asked.status_code == 200 and 'name="readmit" value="1"' in asked.content.decode()
        assert Appointment.objects.get(pk=appointment.pk).status == Status.NO_SHOW
        client.post(url, {"readmit": "1"})
    assert Appointment.objects.get(pk=appointment.pk).status == Status.CHECKED_IN


def test_the_board_shows_levels_and_who_handles_whom_and_take_over_is_logged(client, login_as):
    appointment = booked_today(1)
    team = appointment.slot.team
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        queue.add_walk_in(
            team=team, service=appointment.service, person=person(5), priority=Priority.EMERGENCY
        )
        anna = login_as("caseworker", username="anna")
        queue.call(appointment_id=appointment.pk, counter=desk(team), actor=anna)
        ben = login_as("caseworker", username="ben")
        board = client.get(f"/backoffice/queue/{team.pk}/board/").content.decode()
        assert "anna" in board and "text-bg-danger" in board
        refused = client.post(f"/backoffice/visits/{appointment.pk}/start/", follow=True)
        assert "anna" in refused.content.decode()
        assert Appointment.objects.get(pk=appointment.pk).status == Status.CALLED
        client.post(f"/backoffice/visits/{appointment.pk}/take_over/")
        client.post(f"/backoffice/visits/{appointment.pk}/start/")
    moved = Appointment.objects.get(pk=appointment.pk)
    assert moved.status == Status.IN_SERVICE and moved.served_by == ben
    assert Event.objects.filter(action="appointment.taken_over", actor=ben).exists()


def test_while_in_service_park_and_the_outcome_corrected_the_same_day(client, login_as):
    appointment = booked_today(1)
    team = appointment.slot.team
    user = login_as("caseworker")
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        queue.call(appointment_id=appointment.pk, counter=desk(team), actor=user)
        queue.start_service(appointment_id=appointment.pk, actor=user)
        page = client.get(f"/backoffice/visits/{appointment.pk}/").content.decode()
        assert f"/backoffice/visits/{appointment.pk}/park/" in page
        assert f"/backoffice/visits/{appointment.pk}/forward/" in page
        client.post(f"/backoffice/visits/{appointment.pk}/park/")
        assert Appointment.objects.get(pk=appointment.pk).parked_at is not None
        queue.call(appointment_id=appointment.pk, counter=desk(team), actor=user)
        queue.start_service(appointment_id=appointment.pk, actor=user)
        client.post(f"/backoffice/visits/{appointment.pk}/", {"outcome": "other"})
        page = client.get(f"/backoffice/visits/{appointment.pk}/").content.decode()
        assert f"/backoffice/visits/{appointment.pk}/correct/" in page
        client.post(
            f"/backoffice/visits/{appointment.pk}/correct/",
            {"correct-outcome": "documents_missing", "correct-note": "Pass fehlt"},
        )
    fixed = Appointment.objects.get(pk=appointment.pk)
    assert fixed.outcome == "documents_missing" and fixed.internal_note == "Pass fehlt"
    assert Event.objects.filter(action="appointment.outcome_corrected", actor=user).exists()


def test_the_walk_in_form_preselects_no_nationality_shows_places_left_and_takes_the_interpreter(
    client, login_as
):
    appointment = booked_today(1)
    team = appointment.slot.team
    team.walk_in_daily_limit = 2
    team.save(update_fields=["walk_in_daily_limit"])
    login_as("reception")
    with time_machine.travel(at_hour(9, 55), tick=False):
        page = client.get("/backoffice/reception/walk-in/").content.decode()
        nationality = page[page.index('name="nationality"') :]
        options = nationality[: nationality.index("</select>")]
        assert options.count(" selected") == 1 and '<option value="" selected>' in options
        assert re.search(rf"{team.name}: 2 (of|von) 2", page)
        client.post(
            "/backoffice/reception/walk-in/",
            {
                "team": team.pk,
                "service": appointment.service_id,
                "surname": "Kaya",
                "given_names": "Ali",
                "date_of_birth": "1985-02-03",
                "nationality": "TR",
                "language": "tr",
                "interpreter_needed": "on",
                "interpreter_language": "Kurmanji",
            },
        )
        page = client.get("/backoffice/reception/walk-in/").content.decode()
        assert re.search(rf"{team.name}: 1 (of|von) 2", page)
    walk_in = team.queue.get(channel="walk_in")
    assert walk_in.interpreter_language == "Kurmanji" and walk_in.priority == Priority.WALK_IN
    blank = client.post("/backoffice/reception/walk-in/", {"nationality": ""})
    assert blank.status_code == 200 and "is-invalid" in blank.content.decode()


def test_the_reception_page_states_the_late_arrival_thresholds(client, login_as, settings):
    settings.ARRIVAL_LATE_MINUTES = 12
    settings.ARRIVAL_REFUSE_MINUTES = 47
    login_as("reception")
    page = client.get("/backoffice/reception/").content.decode()
    assert "12" in page and "47" in page
