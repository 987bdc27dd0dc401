"""Reception's walk-in form (responsible team, override with a reason, emergencies beyond the
places), the printable waiting ticket after check-in, and the caseworkers' name search."""

import re

import pytest
import time_machine

from appointments import queue
from appointments.models import Appointment, Event, ResponsibilityRule
from caseworkers.roles import CASEWORKER, RECEPTION, SUPERVISOR
from tests.appointments.test_queue import at_hour, booked_today
from tests.factories import ServiceFactory, TeamFactory

pytestmark = pytest.mark.django_db

WALK_IN = "/backoffice/reception/walk-in/"


@pytest.fixture
def split():
    service = ServiceFactory()
    first = TeamFactory(name="Team A–M", waiting_prefix="A", walk_in_daily_limit=1)
    second = TeamFactory(
        name="Team N–Z", waiting_prefix="N", walk_in_daily_limit=1, location="Wartebereich 2"
    )
    ResponsibilityRule.objects.create(service=service, team=first, letter_from="A", letter_to="M")
    ResponsibilityRule.objects.create(service=service, team=second, letter_from="N", letter_to="Z")
    return service, first, second


def form(service, surname, **extra):
    return {
        "service": service.pk,
        "surname": surname,
        "given_names": "Olena",
        "date_of_birth": "1985-02-11",
        "nationality": "UA",
        "language": "uk",
        **extra,
    }


def test_the_walk_in_form_takes_the_responsible_team_and_prints_a_ticket(client, login_as, split):
    service, _first, second = split
    login_as(RECEPTION)
    response = client.post(WALK_IN, form(service, "Nowak"))
    walk_in = Appointment.objects.get()
    assert walk_in.queue_team == second
    assert response.url == f"/backoffice/reception/{walk_in.pk}/ticket/"
    ticket = client.get(response.url).content.decode()
    assert "N-001" in ticket and "Team N–Z" in ticket and "Wartebereich 2" in ticket
    assert "<svg" in ticket and "js/print.js" in ticket and "data-print" in ticket
    assert "Nowak" not in ticket  # no personal data on the ticket


def test_another_team_needs_the_override_and_a_reason_which_is_audited(client, login_as, split):
    service, first, _second = split
    user = login_as(RECEPTION)
    silent = client.post(WALK_IN, form(service, "Nowak", team=first.pk))
    assert silent.status_code == 200 and "Team N–Z" in silent.content.decode()
    no_reason = client.post(WALK_IN, form(service, "Nowak", team=first.pk, other_team="on"))
    assert no_reason.status_code == 200 and "is-invalid" in no_reason.content.decode()
    assert not Appointment.objects.exists()

    client.post(
        WALK_IN,
        form(service, "Nowak", team=first.pk, other_team="on", override_reason="Familie in A–M"),
    )
    walk_in = Appointment.objects.get()
    assert walk_in.queue_team == first
    event = Event.objects.get(action="walk_in.team_overridden")
    assert event.actor == user and event.data["reason"] == "Familie in A–M"


def test_reception_admits_an_emergency_beyond_the_places_only_with_a_reason(
    client, login_as, split
):
    service, _first, _second = split
    login_as(RECEPTION)
    client.post(WALK_IN, form(service, "Adam"))
    page = client.get(WALK_IN).content.decode()
    assert re.search(r"Team A–M: 0 (of|von) 1", page)
    used_up = client.post(WALK_IN, form(service, "Bauer", urgent="on"))
    assert used_up.status_code == 200 and Appointment.objects.count() == 1
    no_reason = client.post(WALK_IN, form(service, "Bauer", urgent="on", beyond_contingent="on"))
    assert "is-invalid" in no_reason.content.decode() and Appointment.objects.count() == 1
    client.post(
        WALK_IN,
        form(service, "Bauer", urgent="on", beyond_contingent="on", beyond_reason="läuft ab"),
    )
    assert Appointment.objects.count() == 2
    assert Event.objects.get(action="walk_in.beyond_contingent").data["reason"] == "läuft ab"


def test_a_supervisor_admits_an_emergency_beyond_the_places_without_a_reason(
    client, login_as, split
):
    service, _first, _second = split
    login_as(SUPERVISOR)
    client.post(WALK_IN, form(service, "Adam"))
    client.post(WALK_IN, form(service, "Bauer", urgent="on", beyond_contingent="on"))
    assert Appointment.objects.count() == 2
    assert Event.objects.get(action="walk_in.beyond_contingent").data["by_supervisor"] is True


def test_check_in_leads_to_the_printable_ticket(client, login_as):
    appointment = booked_today(1)
    with time_machine.travel(at_hour(9, 55), tick=False):
        login_as(RECEPTION)
        response = client.post(f"/backoffice/reception/{appointment.pk}/check-in/")
        assert response.url == f"/backoffice/reception/{appointment.pk}/ticket/"
        ticket = client.get(response.url).content.decode()
    assert "B-001" in ticket and appointment.slot.team.name in ticket
    assert appointment.surname not in ticket and appointment.code not in ticket


def test_no_ticket_for_an_appointment_not_checked_in_today(client, login_as):
    appointment = booked_today(1)
    login_as(RECEPTION)
    assert client.get(f"/backoffice/reception/{appointment.pk}/ticket/").status_code == 404
    assert client.get("/backoffice/reception/999999/ticket/").status_code == 404


def test_caseworkers_find_todays_visits_of_the_team_by_surname_audited(client, login_as):
    mine = booked_today(1)
    team = mine.slot.team
    other_team = booked_today(1, team=TeamFactory(waiting_prefix="C"))
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=mine.pk)
        user = login_as(CASEWORKER)
        url = f"/backoffice/queue/{team.pk}/search/"
        assert client.get(url).status_code == 405  # a name never travels in an address
        found = client.post(url, {"surname": mine.surname.upper()}).content.decode()
        nobody = client.post(url, {"surname": "Unbekannt"}).content.decode()
        empty = client.post(url, {"surname": ""})
        queue_page = client.get(f"/backoffice/queue/{team.pk}/").content.decode()
    assert f"/backoffice/visits/{mine.pk}/" in found and "B-001" in found
    assert f"/backoffice/visits/{other_team.pk}/" not in found
    assert "/backoffice/visits/" not in nobody
    assert empty.status_code == 200 and "is-invalid" in empty.content.decode()
    viewed = Event.objects.filter(action="personal_data.viewed", actor=user)
    assert [e.appointment_id for e in viewed] == [mine.pk]
    assert viewed.get().data["view"] == "caseworkers:queue_search"
    assert url in queue_page


def test_reception_cannot_use_the_caseworkers_name_search(client, login_as):
    team = booked_today(1).slot.team
    login_as(RECEPTION)
    response = client.post(f"/backoffice/queue/{team.pk}/search/", {"surname": "Muster1"})
    assert response.status_code == 403
