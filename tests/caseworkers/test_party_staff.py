"""Staff side of group bookings and needs: reception checks the party in at once, the queue
board and the visit show the needs, the supervisors' report counts them per week."""

import datetime as dt

import pytest
import time_machine

from appointments import parties
from appointments.models import Appointment, Status
from caseworkers.roles import CASEWORKER, RECEPTION
from tests.appointments.test_queue import at_hour
from tests.factories import ServiceFactory, TeamFactory, bookable_slot, person

pytestmark = pytest.mark.django_db


def party_today(service=None, team=None, **needs):
    service = service or ServiceFactory()
    team = team or TeamFactory(waiting_prefix="B")
    _s, _t, slot = bookable_slot(service=service, team=team, capacity=5, days_ahead=0, hour=11)
    household = [
        person(1, given_names="Ayşe", interpreter_needed=True, interpreter_language="Arabisch",
               needs_wheelchair=True, needs_note="Rollstuhl, bitte Erdgeschoss", **needs),
        person(1, given_names="Elif", date_of_birth=dt.date(2014, 2, 1), email=""),
    ]  # fmt: skip
    lead, _token = parties.book_party(
        service=service, slot_id=slot.pk, persons=household, channel="staff",
        now=slot.start - dt.timedelta(days=1),
    )  # fmt: skip
    return lead


def test_reception_sees_the_needs_and_checks_the_party_in_at_once(client, login_as):
    lead = party_today()
    login_as(RECEPTION)
    page = client.get("/backoffice/reception/", {"code": lead.code}).content.decode()
    assert "Rollstuhl, bitte Erdgeschoss" in page and "Arabisch" in page
    assert f"/backoffice/reception/{lead.pk}/check-in/" in page
    with time_machine.travel(at_hour(10, 55), tick=False):
        response = client.post(f"/backoffice/reception/{lead.pk}/check-in/")
    assert response.status_code == 302
    rows = Appointment.objects.filter(party=lead.party)
    assert {r.status for r in rows} == {Status.CHECKED_IN}
    assert len({r.waiting_number for r in rows}) == 1


def test_the_queue_board_and_the_visit_show_the_needs(client, login_as):
    lead = party_today()
    parties.check_in_party(appointment_id=lead.pk, now=at_hour(10, 55))
    login_as(CASEWORKER)
    with time_machine.travel(at_hour(10, 56), tick=False):
        board = client.get(f"/backoffice/queue/{lead.slot.team_id}/board/").content.decode()
    assert "Arabisch" in board
    assert board.count(lead.waiting_number) >= 2  # both persons, one number
    assert "badge" in board
    with time_machine.travel(at_hour(10, 56), tick=False):
        visit = client.get(f"/backoffice/visits/{lead.pk}/").content.decode()
    assert "Rollstuhl, bitte Erdgeschoss" in visit


def test_the_needs_report_counts_interpreter_languages_per_week_a_party_once(
    supervisor_client,
):
    party_today()
    page = supervisor_client.get("/backoffice/reports/needs/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Arabisch: 1" in content  # two persons, one visit
    assert supervisor_client.get("/backoffice/reports/needs/", {"team": "x"}).status_code == 400
