"""The follow-up visit (card pickup) from the visit page: the screen opens on the first week with
free internal places, the booked follow-up and the case history show on the visit page."""

import datetime as dt

import pytest
import time_machine

from appointments import queue
from appointments.models import Status
from appointments.selectors import case_history
from tests.appointments.test_queue import at_hour, booked_today
from tests.factories import ServiceFactory, bookable_slot, desk_of, route_all

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _finished_application(note=""):
    pickup = ServiceFactory(slug="pickup", name="Abholung eAT")
    application = ServiceFactory(follow_up_service=pickup)
    appointment = booked_today(1, service=application)
    route_all(pickup, appointment.slot.team)
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        queue.call(appointment_id=appointment.pk, counter=desk_of(appointment.pk))
        queue.start_service(appointment_id=appointment.pk)
        queue.finish(appointment_id=appointment.pk, outcome="application_filed", note=note)
    return appointment, pickup


def test_the_follow_up_screen_opens_on_the_first_week_with_internal_places(client, login_as):
    appointment, pickup = _finished_application()
    # Internal places for the pickup only in 10 days (well before the old fixed +6 weeks).
    _s, _t, internal = bookable_slot(
        service=pickup, team=appointment.slot.team, days_ahead=10, contingent="internal"
    )
    login_as("caseworker")
    with time_machine.travel(at_hour(10, 5), tick=False):
        page = client.get(f"/backoffice/visits/{appointment.pk}/follow-up/").content.decode()
    assert f'value="{internal.pk}"' in page


def test_the_booked_follow_up_and_the_case_history_show_on_the_visit_page(client, login_as):
    appointment, pickup = _finished_application(note="Foto nachgereicht")
    _s, _t, internal = bookable_slot(
        service=pickup, team=appointment.slot.team, days_ahead=10, contingent="internal"
    )
    login_as("caseworker")
    with time_machine.travel(at_hour(10, 5), tick=False):
        client.post(f"/backoffice/visits/{appointment.pk}/follow-up/", {"slot": internal.pk})
        follow_up = appointment.case.appointments.get(channel="follow_up")
        assert follow_up.status == Status.BOOKED
        page = client.get(f"/backoffice/visits/{appointment.pk}/").content.decode()
        # a visit of another day: the supervisor opens it (caseworkers see today's visits)
        login_as("supervisor")
        later = client.get(f"/backoffice/visits/{follow_up.pk}/").content.decode()
    # The visit page names the booked follow-up (and offers no second booking).
    assert 'id="booked-follow-up"' in page and follow_up.code in page
    assert f"/backoffice/visits/{appointment.pk}/follow-up/" not in page
    # The case history on the follow-up's page: the first visit, its outcome and note.
    assert 'id="case-history"' in later
    assert appointment.code in later and "Foto nachgereicht" in later
    assert f"/backoffice/visits/{appointment.pk}/" in later


def test_the_case_history_is_one_query(django_assert_num_queries):
    appointment, pickup = _finished_application()
    _s, _t, internal = bookable_slot(
        service=pickup, team=appointment.slot.team, days_ahead=10, contingent="internal"
    )
    with time_machine.travel(at_hour(10, 5), tick=False):
        queue.book_follow_up(appointment_id=appointment.pk, slot_id=internal.pk)
    with django_assert_num_queries(1):
        history = case_history(appointment)
        shown = [
            (v.code, v.service.name, v.slot.team.name, v.get_outcome_display()) for v in history
        ]
    assert shown[0][0] == appointment.code
    assert len(history) == 2


def test_without_free_internal_places_the_screen_opens_tomorrow(client, login_as):
    appointment, _pickup = _finished_application()
    login_as("caseworker")
    with time_machine.travel(at_hour(10, 5), tick=False):
        response = client.get(f"/backoffice/visits/{appointment.pk}/follow-up/")
    assert response.status_code == 200
    assert response.context["day_from"] == at_hour(10).date() + dt.timedelta(days=1)
