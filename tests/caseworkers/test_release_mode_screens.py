"""The supervisors' screen of release modes and reconfirmation: supervisors only, the waiting
wishes shown before switching, the change audited, bad input refused without a change."""

import datetime as dt

import pytest

from appointments import reconfirmation
from appointments.models import Event, ReleaseMode, Service
from tests.appointments.test_reconfirmation import at, booked_visit
from tests.appointments.waitlist.helpers import wish_row
from tests.factories import ServiceFactory, TeamFactory, staff

pytestmark = pytest.mark.django_db

LIST = "/backoffice/manage/release/"


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def service():
    service = ServiceFactory(name="Niederlassungserlaubnis")
    team = TeamFactory()
    for n in range(3):
        wish_row(service=service, team=team, n=n)
    wish_row(service=service, team=team, n=9, state="pending")  # not yet waiting
    return service


@pytest.mark.parametrize("role", ["reception", "caseworker"])
def test_only_supervisors_open_the_screen(client, service, role):
    client.force_login(staff(role))
    assert client.get(LIST).status_code == 403
    response = client.post(
        f"{LIST}{service.pk}/", {"release_mode": "allocation", "reconfirmation_days": "3"}
    )
    assert response.status_code == 403
    assert Service.objects.get(pk=service.pk).release_mode == ReleaseMode.FIRST_COME


def test_the_list_and_the_form_show_how_many_wishes_wait(supervisor_client, service):
    listing = supervisor_client.get(LIST)
    assert b"Niederlassungserlaubnis" in listing.content
    assert b"<td>3</td>" in listing.content
    form = supervisor_client.get(f"{LIST}{service.pk}/")
    assert b"3 wishes wait for this service." in form.content


def test_switching_to_allocation_is_saved_and_audited(supervisor_client, supervisor_user, service):
    response = supervisor_client.post(
        f"{LIST}{service.pk}/", {"release_mode": "allocation", "reconfirmation_days": "3"}
    )
    assert response.status_code == 302
    saved = Service.objects.get(pk=service.pk)
    assert (saved.release_mode, saved.reconfirmation_days) == (ReleaseMode.ALLOCATION, 3)
    event = Event.objects.get(action="service.release_policy")
    assert event.actor == supervisor_user and event.data["waiting"] == 3


@pytest.mark.parametrize(
    "data",
    [
        {"release_mode": "lottery", "reconfirmation_days": "3"},
        {"release_mode": "allocation", "reconfirmation_days": "-1"},
        {"release_mode": "allocation", "reconfirmation_days": "99"},
        {"release_mode": "allocation", "reconfirmation_days": "drei"},
        {},
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(supervisor_client, service, data):
    response = supervisor_client.post(f"{LIST}{service.pk}/", data)
    assert response.status_code == 200 and b"invalid-feedback" in response.content
    saved = Service.objects.get(pk=service.pk)
    assert (saved.release_mode, saved.reconfirmation_days) == (ReleaseMode.FIRST_COME, 0)
    assert not Event.objects.filter(action="service.release_policy").exists()


def test_an_unknown_service_is_not_found(supervisor_client):
    assert supervisor_client.get(f"{LIST}999999/").status_code == 404


def test_the_list_shows_the_places_reconfirmation_freed(client, supervisor_user, clock):
    service, _slot, _made = booked_visit()
    for moment in (
        at(dt.date(2026, 11, 17), 10, 5),
        at(dt.date(2026, 11, 18), 10, 10),
        at(dt.date(2026, 11, 19), 10, 5),
    ):
        clock.move_to(moment)
        reconfirmation.run()
    client.force_login(supervisor_user)  # days later: a fresh login
    listing = client.get(LIST)
    [row] = [s for s in listing.context["services"] if s.pk == service.pk]
    assert row.reconfirmation == {"freed": 1, "used": 0}
    assert "3 days before" in listing.content.decode()
