"""Supervisor reports: who may see them, filters and their errors, CSV export, query budget."""

import datetime as dt
from html import escape

import pytest
import time_machine
from django.utils import timezone

from appointments.models import Channel, DailyCapacity, DailyFigure, Slot
from caseworkers.reporting.charts import bar_chart, line_chart
from tests.factories import ServiceFactory, TeamFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 3, 18, 12, 0))  # a Wednesday
# session, user and roles; then the statistics: three for today's live figures (appointments
# by day and by hour in one, places, cases), one for the appointments of the past days (read
# once for the periods, the charts and the 13-month trend), two for the periods' places and
# cases, one for the hours, and the time of the last rebuild
OVERVIEW_QUERIES = 3 + 3 + 1 + 2 + 1 + 1
PAGES = [
    "/backoffice/reports/",
    "/backoffice/reports/breakdowns/",
    "/backoffice/reports/forecast/",
    "/backoffice/reports/caseworkers/",
    "/backoffice/reports/export/channel.csv",
    "/backoffice/reports/export/caseworkers.csv",
]


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def figure(day, team, service, channel=Channel.STAFF, **counts):
    return DailyFigure.objects.create(
        date=day, team=team, service=service, channel=channel, **counts
    )


@pytest.fixture
def figures():
    """Two teams on Monday and Tuesday of this week, and one day of the previous week."""
    first, second = TeamFactory(name="Sachgebiet Ä"), TeamFactory(name="Sachgebiet B")
    service = ServiceFactory(name="Verlängerung")
    monday, tuesday = dt.date(2026, 3, 16), dt.date(2026, 3, 17)
    figure(
        monday,
        first,
        service,
        booked=10,
        kept=8,
        no_show=2,
        waiting_seconds_sum=8 * 600,
        waiting_count=8,
    )
    figure(
        tuesday,
        first,
        service,
        Channel.ONLINE,
        booked=10,
        kept=6,
        no_show=4,
        cancelled=1,
        late_cancelled=1,
        lead_0_3_kept=6,
        lead_0_3_no_show=4,
    )
    figure(tuesday, second, service, Channel.INVITATION, booked=5, kept=5)
    figure(tuesday, second, service, Channel.WALK_IN, booked=3, kept=3)
    figure(dt.date(2026, 3, 10), first, service, booked=4, kept=2, no_show=2)
    DailyCapacity.objects.create(date=monday, team=first, offered_online=10, offered_internal=10)
    return {"teams": (first, second), "service": service}


# --- Access --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_the_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/backoffice/login/")


@pytest.mark.parametrize("role", ["caseworker", "reception"])
@pytest.mark.parametrize("url", PAGES)
def test_caseworkers_and_reception_may_not_see_reports(client, login_as, role, url):
    login_as(role)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["supervisor", "administrator"])
@pytest.mark.parametrize("url", PAGES)
def test_supervisors_and_administrators_see_reports(client, login_as, role, url):
    login_as(role)
    assert client.get(url).status_code == 200


# --- Overview ------------------------------------------------------------------------------


def test_the_overview_shows_this_week_against_the_previous_one_and_the_target(
    supervisor_client, figures
):
    page = supervisor_client.get("/backoffice/reports/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    week = page.context["report"]["periods"]["week"]
    # kept 8 + 6 + 5 (walk-ins apart), no-shows 2 + 4
    assert (week["kept"], week["no_show"], week["walk_ins"]) == (19, 6, 3)
    assert week["termintreue"] == 76.0
    assert page.context["report"]["periods"]["previous_week"]["termintreue"] == 50.0
    assert week["change"] == 26.0
    assert week["utilisation"] == 95.0  # 19 kept ÷ 20 offered
    assert "76.0 %" in html and "+26.0 points against the previous period" in html
    assert "Below the target of 83 %" in html
    assert html.count('role="img"') == 4 and html.count("<table") == 5
    assert "Kept ÷ (kept + no-shows)" in html


def test_the_overview_target_is_a_setting(supervisor_client, figures, settings):
    settings.STATISTICS_TARGET_PERCENT = 75
    html = supervisor_client.get("/backoffice/reports/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Target of 75 % reached" in html


def test_the_overview_is_translated(supervisor_client, figures):
    html = supervisor_client.get("/backoffice/reports/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="de"' in html
    assert "76,0 %" in html  # German decimal comma


def test_the_overview_runs_a_fixed_number_of_queries(
    supervisor_client, figures, django_assert_num_queries
):
    supervisor_client.get("/backoffice/reports/")  # warm up (session, caches)
    with django_assert_num_queries(OVERVIEW_QUERIES):
        supervisor_client.get("/backoffice/reports/")
    first, second = figures["teams"]
    service = figures["service"]
    for n in range(60):
        day = dt.date(2025, 6, 1) + dt.timedelta(days=n)
        for team in (first, second):
            for channel in Channel.values:
                figure(day, team, service, channel, booked=3, kept=2, no_show=1)
    with django_assert_num_queries(OVERVIEW_QUERIES):
        supervisor_client.get("/backoffice/reports/")


def test_chart_marks_are_one_per_figure_and_escaped():
    rows = [{"label": "<b>A&B</b>", "termintreue": 80.0}, {"label": "Mo", "termintreue": None}]
    bar = bar_chart(rows, target=83, title="Termintreue")
    assert bar["bars_svg"].count("<rect ") == 2
    assert "<title>&lt;b&gt;A&amp;B&lt;/b&gt;: 80" in bar["bars_svg"]
    line = line_chart(rows, target=83, title="Termintreue")
    assert line["points_svg"].count("<circle ") == 1  # nothing to show for the second
    assert line["grid_svg"].count("<line ") == len(line["grid"])
    assert "<b>" not in bar["bars_svg"] + line["points_svg"] + line["xlabels_svg"]


# --- Breakdowns ----------------------------------------------------------------------------


def test_breakdowns_are_filtered_by_team_and_channel(supervisor_client, figures):
    first, _second = figures["teams"]
    page = supervisor_client.get(
        "/backoffice/reports/breakdowns/",
        {"date_from": "2026-03-16", "date_to": "2026-03-18", "team": first.pk},
    )
    assert page.status_code == 200
    summary = page.context["report"]["summary"]
    assert (summary["kept"], summary["no_show"], summary["termintreue"]) == (14, 6, 70.0)
    page = supervisor_client.get(
        "/backoffice/reports/breakdowns/",
        {"date_from": "2026-03-16", "date_to": "2026-03-18", "channel": "online"},
    )
    report = page.context["report"]
    assert report["summary"]["termintreue"] == 60.0
    assert [row["key"] for row in report["channel"]] == ["online"]
    assert report["lead"][0]["termintreue"] == 60.0


def test_report_tables_escape_their_cells_and_say_when_they_are_empty(supervisor_client, figures):
    first, _second = figures["teams"]
    first.name = "Team <A & B>"
    first.save(update_fields=["name"])
    week = {"date_from": "2026-03-16", "date_to": "2026-03-18"}
    html = supervisor_client.get(
        "/backoffice/reports/breakdowns/", week, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert '<th scope="row" class="fw-normal text-nowrap">Team &lt;A &amp; B&gt;</th>' in html
    assert "Team <A & B>" not in html
    assert '<td class="text-end text-nowrap">70.0 %</td>' in html  # the team's Termintreue
    empty = {"date_from": "2025-01-01", "date_to": "2025-01-31"}
    html = supervisor_client.get(
        "/backoffice/reports/breakdowns/", empty, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "No figures for this selection." in html


def test_breakdowns_by_channel_keep_walk_ins_apart(supervisor_client, figures):
    page = supervisor_client.get("/backoffice/reports/breakdowns/", {"date_from": "2026-03-16"})
    channels = {row["key"]: row for row in page.context["report"]["channel"]}
    assert channels["invitation"]["termintreue"] == 100.0
    assert channels["online"]["termintreue"] == 60.0
    assert channels["walk_in"]["termintreue"] is None
    assert channels["walk_in"]["walk_ins"] == 3


def test_breakdowns_default_to_the_last_three_months(supervisor_client, figures):
    page = supervisor_client.get("/backoffice/reports/breakdowns/")
    assert page.context["form"]["date_from"].value() == "2025-12-18"
    assert page.context["report"]["summary"]["kept"] == 21


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2026-02-30"}, "Enter a valid date."),
        ({"date_from": "yesterday"}, "Enter a valid date."),
        ({"date_from": "2026-03-10", "date_to": "2026-03-01"}, "must not be after the end"),
        ({"date_from": "2020-01-01", "date_to": "2026-03-01"}, "at most three years"),
        ({"date_from": "0001-01-01", "date_to": "0001-01-02"}, "between 2000 and 2099"),
        ({"date_to": "9999-12-31"}, "between 2000 and 2099"),
        ({"team": "abc"}, "Select a valid choice"),
        ({"team": "99999999999999999999999"}, "Select a valid choice"),
        ({"service": "-1"}, "Select a valid choice"),
        ({"channel": "carrier-pigeon"}, "Select a valid choice"),
    ],
)
def test_bad_filters_get_a_clear_message_and_no_figures(supervisor_client, figures, query, message):
    page = supervisor_client.get(
        "/backoffice/reports/breakdowns/", query, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert message in html
    assert "Please correct the filter" in html
    assert "<table" not in html


def test_filter_errors_are_translated(supervisor_client, figures):
    page = supervisor_client.get(
        "/backoffice/reports/breakdowns/", {"date_from": "x"}, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert page.status_code == 400
    assert "Bitte ein gültiges Datum eingeben." in page.content.decode()


# --- CSV -----------------------------------------------------------------------------------


def test_every_table_of_a_page_links_to_its_csv(supervisor_client, figures):
    for url in PAGES[:4]:
        page = supervisor_client.get(url)
        for table in page.context["tables"]:
            assert escape(table.csv_url) in page.content.decode()
            assert supervisor_client.get(table.csv_url).status_code == 200, table.name


def test_csv_is_utf8_with_bom_and_semicolons_in_german(supervisor_client, figures):
    response = supervisor_client.get(
        "/backoffice/reports/export/team.csv",
        {"date_from": "2026-03-16", "date_to": "2026-03-18"},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("Sachgebiet Ä;")  # the umlaut survives
    assert lines[1] == "Sachgebiet Ä;10;10;0;14;70,0;70,0;6;0"  # 14 kept ÷ 20 offered


def test_csv_in_english_uses_commas(supervisor_client, figures):
    response = supervisor_client.get(
        "/backoffice/reports/export/overview-periods.csv", HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = response.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("Period,From,Until,Termintreue,Change (points),Kept")
    assert rows[1].startswith("This week,03/16/2026,03/18/2026,76.0,26.0,19,6")


def test_csv_with_a_bad_filter_or_table_is_refused(supervisor_client, figures):
    response = supervisor_client.get(
        "/backoffice/reports/export/channel.csv", {"date_from": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    assert supervisor_client.get("/backoffice/reports/export/secrets.csv").status_code == 404


# --- Forecast ------------------------------------------------------------------------------


def test_the_forecast_page_lists_ten_working_days_with_places(supervisor_client, figures):
    first, _second = figures["teams"]
    start = timezone.make_aware(dt.datetime(2026, 3, 19, 9))
    Slot.objects.create(
        team=first,
        start=start,
        end=start + dt.timedelta(minutes=20),
        contingent="online",
        capacity=3,
    )
    page = supervisor_client.get("/backoffice/reports/forecast/", {"team": first.pk})
    (table,) = page.context["tables"]
    assert len(table.rows) == 10
    thursday = table.rows[1]
    assert (thursday["date"], thursday["offered_online"], thursday["expected_empty"]) == (
        dt.date(2026, 3, 19),
        3,
        3,
    )


def test_the_forecast_refuses_an_unknown_team(supervisor_client, figures):
    page = supervisor_client.get("/backoffice/reports/forecast/", {"team": "nope"})
    assert page.status_code == 400
