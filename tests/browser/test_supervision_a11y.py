"""axe-core on the supervisor screens in chromium: capacity, rule preview, closure with the
affected, counters, audit log, devices (token shown once) and the login lockout page."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import Closure, Counter, Event
from caseworkers.models import DeviceToken
from tests.browser.helpers import assert_accessible
from tests.factories import PASSWORD, appointment, bookable_slot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def office(supervisor_user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    service, team, slot = bookable_slot(days_ahead=4)
    booked = appointment(service=service, slot=slot, n=1)
    Counter.objects.create(team=team, number="1")
    Closure.objects.create(
        team=None,
        start=timezone.now() + dt.timedelta(days=30),
        end=timezone.now() + dt.timedelta(days=31),
        reason="Betriebsversammlung",
    )
    Event.objects.create(action="personal_data.viewed", actor=supervisor_user, appointment=booked)
    device, _token = DeviceToken.issue(name="Wartebereich EG", teams=[team])
    return {"team": team, "slot": slot, "appointment": booked, "device": device}


def log_in(page, base, password=PASSWORD):
    page.goto(f"{base}/backoffice/login/")
    page.get_by_label(re.compile("Benutzername|Username")).fill("teamleitung")
    page.get_by_label(re.compile("Passwort|Password")).fill(password)
    page.get_by_role("button", name=re.compile("Anmelden|Log in")).click()


def test_supervisor_pages_have_no_wcag_violations(live_server, page, office):
    base = f"{live_server.url}/backoffice/manage"
    team, device = office["team"], office["device"]
    log_in(page, live_server.url)
    expect(page).to_have_url(f"{live_server.url}/backoffice/")

    for path in (
        "/",
        f"/teams/{team.pk}/",
        f"/rules/{office['slot'].rule_id}/",
        f"/rules/{office['slot'].rule_id}/delete/",
        f"/teams/{team.pk}/counters/new/",
        f"/closures/{Closure.objects.get().pk}/delete/",
        "/audit/",
        "/audit/?date_from=kaputt",
        "/devices/",
        f"/devices/{device.pk}/revoke/",
    ):
        response = page.goto(base + path)
        assert response.status == 200 and "/login/" not in page.url, path
        assert_accessible(page)

    # A new rule: the preview with its table of slots, then the form's errors.
    page.goto(f"{base}/teams/{team.pk}/rules/new/")
    page.select_option("#id_weekday", "1")
    page.fill("#id_start_time", "08:00")
    page.fill("#id_end_time", "10:00")
    page.locator("input[name=services]").first.check()
    page.locator("button[name=action][value=preview]").click()
    expect(page.locator("#preview")).to_be_visible()
    assert_accessible(page)
    page.fill("#id_end_time", "07:00")
    page.locator("button[name=action][value=preview]").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    assert_accessible(page)

    # A closure over the booked appointment: the list of the affected before confirming.
    day = timezone.localdate(office["slot"].start)
    page.goto(f"{base}/closures/new/?team={team.pk}")
    page.fill("#id_start", f"{day.isoformat()}T00:00")
    page.fill("#id_end", f"{(day + dt.timedelta(days=1)).isoformat()}T00:00")
    page.fill("#id_reason", "Schulung")
    page.locator("button[name=action][value=preview]").click()
    expect(page.get_by_text(office["appointment"].code)).to_be_visible()
    assert_accessible(page)

    # A new device: the token page, shown once.
    page.goto(f"{base}/devices/new/")
    assert_accessible(page)
    page.fill("#id_name", "Kiosk 2")
    page.locator("input[name=teams]").first.check()
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("#display-url")).to_have_value(re.compile(r"/backoffice/display/\?device="))
    assert_accessible(page)


def test_the_lockout_page_has_no_wcag_violations(live_server, page, office, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(page, live_server.url, password="falsch")
    expect(page.locator("h1")).to_have_text(re.compile("Login locked|Anmeldung gesperrt"))
    assert_accessible(page)


def test_the_partner_key_screen_shows_the_key_once_without_wcag_violations(
    live_server, page, office
):
    base = f"{live_server.url}/backoffice/manage/partners/"
    log_in(page, live_server.url)
    expect(page).to_have_url(f"{live_server.url}/backoffice/")
    page.goto(base)
    assert_accessible(page)
    page.get_by_label(re.compile("Organisation")).fill("Beratungsstelle Mitte")
    page.get_by_role("button", name=re.compile("Schlüssel erstellen|Create the key")).click()
    key = page.locator("#partner-key").input_value()
    assert len(key) > 20
    assert_accessible(page)
    page.goto(base)
    assert page.locator("#partner-key").count() == 0 and key not in page.content()
    assert_accessible(page)
