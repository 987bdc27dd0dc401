"""Least privilege for visits (issue 14): reception and caseworkers open today's visits (the
caseworkers those of their teams); anything else only through the audited search; supervisors
as before. A visit out of reach answers 404, like one that does not exist."""

import datetime as dt

import pytest
import time_machine

from appointments.models import Event, Slot
from caseworkers.models import TeamMembership
from tests.appointments.test_queue import at_hour, booked_today
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/staff/appointments/{}/"
PAGE = "/backoffice/visits/{}/"


@pytest.fixture
def visits():
    own, other = TeamFactory(waiting_prefix="A"), TeamFactory(waiting_prefix="B")
    with time_machine.travel(at_hour(8, 0), tick=False):
        today_own = booked_today(1, team=own, hour=11)
        today_other = booked_today(2, team=other, hour=11)
        past = booked_today(3, team=own, service=today_own.service, hour=12)
    Slot.objects.filter(pk=past.slot_id).update(
        start=past.slot.start - dt.timedelta(days=30), end=past.slot.end - dt.timedelta(days=30)
    )
    return {"own": own, "today_own": today_own, "today_other": today_other, "past": past}


def _member(user, team):
    TeamMembership.objects.create(user=user, team=team)
    return user


# role → what the visit page and the API answer for (today own team, today other team, past)
EXPECTED = {
    "caseworker": {"page": (200, 404, 404), "api": (200, 404, 404)},
    "reception": {"page": (403, 403, 403), "api": (200, 200, 404)},
    "supervisor": {"page": (200, 200, 200), "api": (200, 200, 200)},
    "administrator": {"page": (200, 200, 200), "api": (200, 200, 200)},
}


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("where", ["page", "api"])
def test_each_role_opens_only_the_visits_of_its_work(client, login_as, visits, role, where):
    _member(login_as(role), visits["own"])
    url = PAGE if where == "page" else API
    answers = tuple(
        client.get(url.format(visits[key].pk)).status_code
        for key in ("today_own", "today_other", "past")
    )
    assert answers == EXPECTED[role][where]


def test_a_refused_visit_is_neither_shown_nor_audited_as_viewed(client, login_as, visits):
    _member(login_as("caseworker"), visits["own"])
    response = client.get(PAGE.format(visits["past"].pk))
    assert visits["past"].surname not in response.content.decode()
    assert not Event.objects.filter(
        action="personal_data.viewed", appointment=visits["past"]
    ).exists()


def test_moves_on_a_visit_out_of_reach_are_refused_and_change_nothing(client, login_as, visits):
    _member(login_as("caseworker"), visits["own"])
    other = visits["today_other"]
    assert client.post(f"/backoffice/visits/{other.pk}/no_show/").status_code == 404
    assert client.post(f"/api/v1/staff/appointments/{other.pk}/no-show/").status_code == 404
    other.refresh_from_db()
    assert other.status == "booked"


def test_a_caseworker_without_a_team_opens_every_team_today_but_not_the_past(
    client, login_as, visits
):
    login_as("caseworker")
    assert client.get(PAGE.format(visits["today_other"].pk)).status_code == 200
    assert client.get(PAGE.format(visits["past"].pk)).status_code == 404


def test_a_caseworker_sees_only_the_queue_of_their_team(client, login_as, visits):
    _member(login_as("caseworker"), visits["own"])
    assert client.get(f"/backoffice/queue/{visits['own'].pk}/").status_code == 200
    other_team = visits["today_other"].slot.team_id
    assert client.get(f"/backoffice/queue/{other_team}/").status_code == 404
    assert client.get(f"/api/v1/staff/teams/{other_team}/queue/").status_code == 404


def test_only_supervisors_list_other_days(client, login_as, visits):
    team = visits["own"].pk
    past_day = (dt.date(2026, 11, 10) - dt.timedelta(days=30)).isoformat()
    login_as("reception")
    assert client.get(f"/backoffice/queue/{team}/day/", {"date": past_day}).status_code == 404
    client.logout()
    login_as("supervisor")
    page = client.get(f"/backoffice/queue/{team}/day/", {"date": past_day})
    assert page.status_code == 200 and visits["past"].code in page.content.decode()


def test_the_search_opens_an_older_visit_with_a_reason_and_audits_it(client, login_as, visits):
    user = _member(login_as("caseworker"), visits["own"])
    past = visits["past"]
    reason = "Akte AZ-123: Nachfrage zur Vorsprache"
    response = client.post("/backoffice/visits/search/", {"code": past.code, "reason": reason})
    assert response.status_code == 302 and response["Location"] == PAGE.format(past.pk)
    assert client.get(PAGE.format(past.pk)).status_code == 200
    assert client.get(API.format(past.pk)).status_code == 200
    searched = Event.objects.filter(action="personal_data.viewed", appointment=past, actor=user)
    assert [e.data.get("reason") for e in searched if e.data.get("via") == "search"] == [reason]


@pytest.mark.parametrize(
    "data",
    [
        {"code": "", "reason": "Akte AZ-123: Nachfrage"},
        {"code": "PAST", "reason": ""},
        {"code": "PAST", "reason": "kurz"},
        {"code": "ZZZZZZZZ", "reason": "Akte AZ-123: Nachfrage"},
    ],
)
def test_the_search_without_a_reason_or_a_known_code_opens_nothing(client, login_as, visits, data):
    _member(login_as("caseworker"), visits["own"])
    past = visits["past"]
    data = {**data, "code": data["code"].replace("PAST", past.code)}
    response = client.post("/backoffice/visits/search/", data)
    assert response.status_code == 400
    assert client.get(PAGE.format(past.pk)).status_code == 404
    assert not Event.objects.filter(action="personal_data.viewed", appointment=past).exists()
