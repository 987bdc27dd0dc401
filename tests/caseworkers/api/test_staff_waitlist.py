"""The staff API's waitlist: supervisors only, ranked, filtered, no personal data."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from caseworkers.roles import CASEWORKER, SUPERVISOR
from tests.appointments.waitlist.helpers import wish_row
from tests.factories import ServiceFactory, TeamFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
URL = "/api/v1/staff/waitlist/"


@pytest.fixture
def waitlist():
    with time_machine.travel(NOW, tick=False):
        service, other = ServiceFactory(slug="extension"), ServiceFactory(slug="pickup")
        team, team2 = TeamFactory(), TeamFactory()
        plain, _ = wish_row(service=service, team=team, n=1)
        urgent, _ = wish_row(
            service=service, team=team, n=2, permit_expires_on=dt.date(2026, 12, 20)
        )
        reason, _ = wish_row(service=service, team=team, n=3, urgency_reason="job_start")
        wish_row(service=service, team=team2, n=4)
        wish_row(service=other, team=team, n=5)
        wish_row(service=service, team=team, n=6, state="pending")
        wish_row(service=service, team=team, n=7, state="withdrawn")
        yield {"service": service, "team": team, "ids": [urgent.pk, reason.pk, plain.pk]}


def test_the_waitlist_of_a_service_and_team_is_ranked_without_personal_data(staff_api, waitlist):
    client, _user = staff_api(SUPERVISOR)
    with time_machine.travel(NOW, tick=False):
        response = client.get(URL, {"service": "extension", "team": waitlist["team"].pk})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == waitlist["ids"]
    first = body["results"][0]
    assert first["permit_expires_soon"] is True
    assert body["results"][1]["urgency_reason"] == "job_start"
    assert first["registered_on"] == "2026-12-07"
    text = response.content.decode()
    for personal in ("Wunsch", "Amal", "1991", "example.test", "2026-12-20"):
        assert personal not in text


def test_without_filters_every_confirmed_open_wish_is_listed(staff_api, waitlist):
    client, _user = staff_api(SUPERVISOR)
    with time_machine.travel(NOW, tick=False):
        body = client.get(URL).json()
        paused = client.get(URL, {"state": "paused"}).json()
    assert body["count"] == 5  # neither the pending nor the withdrawn wish
    assert paused["count"] == 0


def test_the_waitlist_is_paginated(staff_api, waitlist):
    client, _user = staff_api(SUPERVISOR)
    with time_machine.travel(NOW, tick=False):
        body = client.get(URL, {"page_size": 2, "page": 2}).json()
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["previous"] is not None


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"service": "no-such-service"}, {"service"}),
        ({"team": "abc"}, {"team"}),
        ({"team": 0, "state": "booked"}, {"team", "state"}),
    ],
)
def test_bad_filters_are_refused_with_400_and_a_message(staff_api, waitlist, query, fields):
    client, _user = staff_api(SUPERVISOR)
    response = client.get(URL, query)
    assert response.status_code == 400
    body = response.json()
    assert set(body["fields"]) == fields
    assert all(messages and messages[0] for messages in body["fields"].values())


def test_caseworkers_and_anonymous_callers_are_refused(api, staff_api, waitlist):
    client, _user = staff_api(CASEWORKER)
    assert client.get(URL).status_code == 403
    assert api.get(URL).status_code == 401


def test_the_waitlist_is_in_the_openapi_schema(api):
    response = api.get("/api/schema/", {"format": "json"})
    operation = response.json()["paths"]["/api/v1/staff/waitlist/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"service", "team", "state", "page", "page_size"} <= names
