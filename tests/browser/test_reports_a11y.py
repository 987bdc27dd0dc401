"""The report pages pass axe-core's WCAG 2.1 AA checks in Debian's chromium, charts included."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.utils import timezone

from appointments.models import Channel, Contingent, DailyCapacity, DailyFigure, Slot
from tests.factories import ServiceFactory, TeamFactory

WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def some_history():
    """Eight weeks of figures for two channels, and open places for the coming days."""
    team, service = TeamFactory(), ServiceFactory()
    today = timezone.localdate()
    for n in range(1, 57):
        day = today - dt.timedelta(days=n)
        if day.weekday() < 5:
            DailyFigure.objects.create(
                date=day,
                team=team,
                service=service,
                channel=Channel.ONLINE,
                booked=10,
                kept=7 + n % 3,
                no_show=3 - n % 3,
                waiting_seconds_sum=4000,
                waiting_count=8,
                lead_4_7_kept=5,
                lead_4_7_no_show=1,
            )
            DailyFigure.objects.create(
                date=day,
                team=team,
                service=service,
                channel=Channel.WALK_IN,
                booked=2,
                kept=2,
            )
            DailyCapacity.objects.create(date=day, team=team, offered_online=12)
    start = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time(9)))
    Slot.objects.create(
        team=team,
        start=start,
        end=start + dt.timedelta(minutes=20),
        contingent=Contingent.ONLINE,
        capacity=4,
    )


def log_in(page, live_server, user, language):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("/backoffice/reports/", "de"),
        ("/backoffice/reports/", "en"),
        ("/backoffice/reports/breakdowns/", "de"),
        ("/backoffice/reports/breakdowns/?date_from=2026-02-30&team=x", "de"),
        ("/backoffice/reports/forecast/", "de"),
        ("/backoffice/reports/caseworkers/", "de"),
    ],
)
def test_report_pages_have_no_wcag_violations(live_server, page, supervisor_user, path, language):
    some_history()
    log_in(page, live_server, supervisor_user, language)
    response = page.goto(f"{live_server.url}{path}")
    assert response.status in (200, 400)
    assert page.locator("h1").count() == 1
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_chart_has_a_name_and_its_figures_beside_it(live_server, page, supervisor_user):
    some_history()
    log_in(page, live_server, supervisor_user, "en")
    page.goto(f"{live_server.url}/backoffice/reports/")
    charts = page.get_by_role("img")
    assert charts.count() == 4
    for n in range(4):
        section = charts.nth(n).locator("xpath=ancestor::section[1]")
        assert charts.nth(n).get_attribute("aria-labelledby")
        assert section.locator("table").count() == 1
    assert page.get_by_role("img", name="Termintreue per week").is_visible()
    assert page.get_by_role("img", name="Termintreue per month").is_visible()
