"""The report pages' new parts: the 13-month trend on the overview, the language table on
the breakdowns, the caseworker page (supervisors only, audited), their CSVs and query counts."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from appointments import booking
from appointments.models import Appointment, Channel, DailyFigure, Event, Status
from tests.factories import ServiceFactory, TeamFactory, bookable_slot, person, staff

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 3, 18, 12, 0))  # a Wednesday
URL = "/backoffice/reports/caseworkers/"
RANGE = {"date_from": "2026-03-01", "date_to": "2026-03-18"}
# session, user and roles; the team and service lists of the filter form; the figures; the
# audit entry of the access
CASEWORKER_QUERIES = 3 + 2 + 1 + 1
# session, user and roles; the filter form's lists; the breakdowns (three for today's live
# figures: appointments by day and hour in one, places, cases; five for the range's tables,
# two for the week/weekday/hour series); team and service names; and the one query of the
# languages
BREAKDOWN_QUERIES = 3 + 2 + 3 + 5 + 2 + 2 + 1


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def served(service, team, start, *, n, by, minutes, language="de", channel=Channel.STAFF):
    _s, _t, slot = bookable_slot(service=service, team=team, start=start, capacity=5)
    made, _token = booking.book(
        service=service,
        slot_id=slot.pk,
        person=person(n, language=language),
        channel=Channel.STAFF,
        now=start - dt.timedelta(days=2),
    )
    Appointment.objects.filter(pk=made.pk).update(
        channel=channel,
        status=Status.COMPLETED,
        checked_in_at=start,
        called_at=start,
        in_service_at=start,
        completed_at=start + dt.timedelta(minutes=minutes),
        served_by=by,
    )


@pytest.fixture
def visits():
    team, service = TeamFactory(name="Sachgebiet A"), ServiceFactory(name="Verlängerung")
    anna = staff("caseworker", username="anna")
    anna.first_name, anna.last_name = "Anna", "Özdemir"
    anna.save(update_fields=["first_name", "last_name"])
    tricky = staff("caseworker", username="=HYPERLINK(1)")
    start = timezone.make_aware(dt.datetime(2026, 3, 16, 9))
    served(service, team, start, n=1, by=anna, minutes=12, language="ar")
    served(service, team, start, n=2, by=anna, minutes=18, language="uk")
    served(service, team, start, n=3, by=tricky, minutes=30, language="ar")
    DailyFigure.objects.create(
        date=dt.date(2025, 12, 3),
        team=team,
        service=service,
        channel=Channel.STAFF,
        kept=3,
        no_show=1,
        booked=4,
    )
    return {"team": team, "anna": anna, "tricky": tricky}


def test_the_overview_shows_the_monthly_trend_with_a_chart(supervisor_client, visits):
    page = supervisor_client.get("/backoffice/reports/", HTTP_ACCEPT_LANGUAGE="de")
    table = next(t for t in page.context["tables"] if t.name == "overview-monthly")
    html = page.content.decode()

    assert [row["label"] for row in table.rows][:1] == ["März 2025"]
    assert table.rows[-1]["label"] == "März 2026 (bis 18.03.2026)"
    assert table.rows[9]["termintreue"] == 75.0  # December 2025
    assert table.chart["kind"] == "line"
    assert "Monatsverlauf über 13 Monate" in html and 'id="table-overview-monthly"' in html


def test_the_breakdowns_show_the_languages(supervisor_client, visits, django_assert_num_queries):
    page = supervisor_client.get(
        "/backoffice/reports/breakdowns/", RANGE, HTTP_ACCEPT_LANGUAGE="de"
    )
    table = next(t for t in page.context["tables"] if t.name == "language")

    assert [(r["label"], r["kept"]) for r in table.rows] == [("Arabisch", 2), ("Ukrainisch", 1)]
    assert "Nach Sprache der Antragstellenden" in page.content.decode()


def test_the_caseworker_page_shows_served_visits_and_says_it_is_personal_data(
    supervisor_client, visits
):
    page = supervisor_client.get(URL, RANGE, HTTP_ACCEPT_LANGUAGE="de")
    html = page.content.decode()
    rows = page.context["tables"][0].rows

    assert [(r["label"], r["served"], r["processing_minutes"]) for r in rows] == [
        ("Anna Özdemir", 2, 15.0),
        ("=HYPERLINK(1)", 1, 30.0),
    ]
    assert "Persönliche Leistungsdaten" in html
    assert "Nur Teamleitungen und die Administration" in html


def test_viewing_the_caseworker_page_is_audited(supervisor_client, supervisor_user, visits):
    supervisor_client.get(URL, RANGE)

    event = Event.objects.get(action="personal_data.viewed")
    assert event.actor == supervisor_user
    assert event.data["staff"] == [visits["anna"].pk, visits["tricky"].pk]
    assert (event.data["date_from"], event.data["date_to"]) == ("2026-03-01", "2026-03-18")
    assert event.data["view"] == "caseworkers:reports:caseworkers"


def test_the_caseworker_csv_is_audited_and_safe_for_spreadsheets(supervisor_client, visits):
    response = supervisor_client.get(
        "/backoffice/reports/export/caseworkers.csv", RANGE, HTTP_ACCEPT_LANGUAGE="de"
    )
    lines = response.content.decode("utf-8-sig").splitlines()

    assert lines[0] == (
        "Sachbearbeitung;Abgeschlossene Vorsprachen;davon Vorsprachen ohne Termin;"
        "Bearbeitungszeit (Min.)"
    )
    assert lines[1] == "Anna Özdemir;2;0;15,0"
    assert lines[2] == "'=HYPERLINK(1);1;0;30,0"  # not run as a formula
    assert Event.objects.filter(action="personal_data.exported").count() == 1


@pytest.mark.parametrize("role", ["caseworker", "reception"])
def test_caseworkers_may_not_see_each_others_figures(client, login_as, visits, role):
    login_as(role)

    assert client.get(URL, RANGE).status_code == 403
    assert not Event.objects.filter(action__startswith="personal_data.").exists()


def test_a_bad_filter_on_the_caseworker_page_shows_a_message_and_logs_nothing(
    supervisor_client, visits
):
    page = supervisor_client.get(URL, {"date_from": "kaputt"}, HTTP_ACCEPT_LANGUAGE="de")

    assert page.status_code == 400
    assert "Bitte korrigieren Sie den Filter" in page.content.decode()
    assert not Event.objects.filter(action__startswith="personal_data.").exists()


def test_the_caseworker_page_runs_a_fixed_number_of_queries(
    supervisor_client, visits, django_assert_num_queries
):
    supervisor_client.get(URL, RANGE)
    with django_assert_num_queries(CASEWORKER_QUERIES):
        supervisor_client.get(URL, RANGE)
    more = staff("caseworker", username="more")
    service = ServiceFactory(name="Blaue Karte")
    for n in range(10):
        start = timezone.make_aware(dt.datetime(2026, 3, 2 + n % 5, 8 + n % 4))
        served(service, visits["team"], start, n=10 + n, by=more, minutes=5 + n)
    with django_assert_num_queries(CASEWORKER_QUERIES):
        supervisor_client.get(URL, RANGE)


def test_the_breakdowns_run_a_fixed_number_of_queries(
    supervisor_client, visits, django_assert_num_queries
):
    url = "/backoffice/reports/breakdowns/"
    supervisor_client.get(url, RANGE)
    with django_assert_num_queries(BREAKDOWN_QUERIES):
        supervisor_client.get(url, RANGE)
    team = visits["team"]
    for n in range(10):
        start = timezone.make_aware(dt.datetime(2026, 3, 2 + n % 5, 8 + n % 4))
        served(ServiceFactory(), team, start, n=20 + n, by=visits["anna"], minutes=5, language="tr")
    with django_assert_num_queries(BREAKDOWN_QUERIES):
        supervisor_client.get(url, RANGE)
