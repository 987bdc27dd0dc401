"""The supervisors' waitlist screen: figures per service and team, unmet demand, the period,
CSV, bad filters, roles and a fixed number of queries."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from appointments.models import Contingent, Offer, Slot
from appointments.waitlist.report import waitlist_figures
from tests.appointments.waitlist.helpers import wish_row
from tests.factories import ServiceFactory, open_office, route_all

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 3, 18, 12, 0, tzinfo=BERLIN)  # a Wednesday
URL = "/backoffice/reports/waitlist/"
CSV = "/backoffice/reports/waitlist/export.csv"
# session, user and roles; waiting wishes with unmet demand, offers by state, accepted offers'
# days; team and service names (table labels); teams and services of the filter's choices
QUERIES = 3 + 3 + 2 + 2


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day, hour=9):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BERLIN)


def offer(wish, slot, state, offered_on, answered_on=None):
    offered_at = at(offered_on)
    return Offer.objects.create(
        wish=wish,
        slot=slot,
        state=state,
        offered_at=offered_at,
        expires_at=offered_at + dt.timedelta(hours=24),
        answered_at=at(answered_on) if answered_on else None,
    )


@pytest.fixture
def waitlist():
    """One team; free online places only from 2026-03-25 on; three waiting wishes of the
    extension (one whose permit expires before the first free place), one of another service,
    and offers: two accepted, one declined, one expired in March, one accepted in January."""
    office = open_office(split=(), days=21, online=1, internal=0)
    service, team = office.service, office.team
    Slot.objects.filter(start__lt=at(dt.date(2026, 3, 25), 0)).update(booked=1)
    other = ServiceFactory(slug="pickup", name="Abholung")
    route_all(other, team)
    wish_row(service=service, team=team, n=1, permit_expires_on=dt.date(2026, 3, 20))
    wish_row(service=service, team=team, n=2, permit_expires_on=dt.date(2026, 3, 30))
    wish_row(service=service, team=team, n=3)
    wish_row(service=service, team=team, n=4, state="pending")
    wish_row(service=other, team=team, n=5, permit_expires_on=dt.date(2026, 3, 19))
    slot = Slot.objects.filter(contingent=Contingent.ONLINE).order_by("start").first()
    ended = {}
    for n, (state, registered, offered) in enumerate(
        [
            ("accepted", dt.date(2026, 3, 6), dt.date(2026, 3, 10)),
            ("accepted", dt.date(2026, 3, 12), dt.date(2026, 3, 14)),
            ("declined", dt.date(2026, 3, 1), dt.date(2026, 3, 11)),
            ("expired", dt.date(2026, 3, 2), dt.date(2026, 3, 12)),
            ("accepted", dt.date(2025, 12, 1), dt.date(2026, 1, 10)),
        ],
        start=10,
    ):
        wish, _token = wish_row(
            service=service,
            team=team,
            n=n,
            state="booked" if state == "accepted" else "active",
            registered_at=at(registered),
        )
        if state != "accepted":
            wish.state = "withdrawn"
            wish.save(update_fields=["state"])
        ended[n] = offer(wish, slot, state, offered, offered + dt.timedelta(days=1))
    return {"service": service, "other": other, "team": team, "slot": slot}


def test_figures_per_service_and_team(waitlist):
    figures = waitlist_figures(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 18))
    rows = {row["service_id"]: row for row in figures["rows"]}
    extension = rows[waitlist["service"].pk]
    assert extension["backlog"] == 3  # the pending wish does not count
    assert extension["unmet"] == 1  # only the permit expiring before 2026-03-25
    assert (extension["offered"], extension["accepted"]) == (4, 2)
    assert (extension["declined"], extension["expired"]) == (1, 1)
    assert extension["accepted_share"] == 50.0
    slot_start = waitlist["slot"].start
    days = [
        (slot_start - at(d)) / dt.timedelta(1) for d in (dt.date(2026, 3, 6), dt.date(2026, 3, 12))
    ]
    assert extension["median_days"] == round(sum(days) / 2, 1)
    pickup = rows[waitlist["other"].pk]
    assert (pickup["backlog"], pickup["unmet"], pickup["offered"]) == (1, 1, 0)
    assert pickup["median_days"] is None
    assert figures["total"]["backlog"] == 4
    assert figures["total"]["unmet"] == 2


def test_the_period_decides_which_offers_count(waitlist):
    january = waitlist_figures(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 1, 31))
    row = next(r for r in january["rows"] if r["service_id"] == waitlist["service"].pk)
    assert (row["offered"], row["accepted"], row["backlog"]) == (1, 1, 3)


def test_a_free_place_on_the_expiry_day_meets_the_demand(waitlist):
    Slot.objects.filter(start__date=dt.date(2026, 3, 20)).update(booked=0)
    figures = waitlist_figures(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 18))
    row = next(r for r in figures["rows"] if r["service_id"] == waitlist["service"].pk)
    assert row["unmet"] == 0


def test_the_screen_shows_the_table_and_chart_in_a_fixed_number_of_queries(
    supervisor_client, waitlist, django_assert_num_queries
):
    with django_assert_num_queries(QUERIES):
        response = supervisor_client.get(URL, {"date_from": "2026-03-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="table-waitlist"' in html
    assert "<svg" in html
    assert 'href="/backoffice/reports/waitlist/export.csv?date_from=2026-03-01' in html
    ServiceFactory.create_batch(3)
    more = ServiceFactory(slug="more")
    route_all(more, waitlist["team"])
    for n in range(20, 26):
        wish_row(service=more, team=waitlist["team"], n=n)
    with django_assert_num_queries(QUERIES):
        assert supervisor_client.get(URL).status_code == 200


def test_the_reports_navigation_links_the_screen(supervisor_client, waitlist):
    html = supervisor_client.get("/backoffice/reports/").content.decode()
    assert f'href="{URL}"' in html


def test_the_csv_has_a_row_per_service_and_team_and_the_total(supervisor_client, waitlist):
    response = supervisor_client.get(CSV, {"date_from": "2026-03-01", "date_to": "2026-03-18"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 2 + 1
    assert lines[1].split(";")[2:8] == ["3", "1", "4", "2", "1", "1"]


def test_the_filter_by_team_and_service(supervisor_client, waitlist):
    response = supervisor_client.get(
        CSV, {"service": waitlist["other"].pk, "team": waitlist["team"].pk}
    )
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 1 + 1
    assert "Abholung" in lines[1]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2026-03-20", "date_to": "2026-03-01"}, "must not be after the end"),
        ({"date_from": "yesterday"}, "Enter a valid date."),
        ({"team": "x"}, "Select a valid choice"),
        ({"service": "-1"}, "Select a valid choice"),
    ],
)
def test_bad_filters_get_a_clear_message_and_no_figures(
    supervisor_client, waitlist, query, message
):
    response = supervisor_client.get(URL, query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Please correct the filter" in html
    assert 'id="table-waitlist"' not in html
    export = supervisor_client.get(CSV, query, HTTP_ACCEPT_LANGUAGE="en")
    assert export.status_code == 400
    assert message in export.content.decode()


@pytest.mark.parametrize("role", ["caseworker", "reception"])
def test_other_roles_are_refused(client, login_as, waitlist, role):
    login_as(role)
    assert client.get(URL).status_code == 403
    assert client.get(CSV).status_code == 403
