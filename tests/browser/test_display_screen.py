"""The call display in chromium: the newest call's announcement rotates through the six
languages, the chime switch is off by default and turns on (remembered), no CSP violation and
axe 0 violations."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from appointments import queue
from caseworkers.models import DeviceToken
from tests.appointments.test_queue import booked_today
from tests.browser.helpers import WCAG
from tests.browser.test_csp import Watched
from tests.factories import desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_display_rotates_languages_and_switches_the_chime(live_server, browser, settings):
    settings.DISPLAY_ANNOUNCEMENT_SECONDS = 1
    appointment = booked_today(1)
    team = appointment.slot.team
    queue.check_in(appointment_id=appointment.pk)
    queue.call_next(team=team, counter=desk(team, "3"))
    _device, token = DeviceToken.issue(name="Wartebereich", teams=[team])
    watched = Watched(browser)
    page = watched.page
    watched.visit(f"{live_server.url}/backoffice/display/?device={token}")

    visible = page.locator(".display-announcement:not([hidden])")
    expect(visible).to_have_count(1)
    expect(visible).to_have_attribute("lang", "de")
    expect(visible).to_have_text("Nummer B-001, bitte zu Schalter 3")
    seen = set()
    for _turn in range(8):
        seen.add(visible.get_attribute("lang"))
        page.wait_for_timeout(700)
    assert {"de", "en", "tr"} <= seen
    page.wait_for_function(
        "() => document.querySelector('.display-announcement[lang=ar]:not([hidden])')",
        timeout=10000,
    )
    expect(page.locator(".display-announcement[lang=ar]")).to_have_attribute("dir", "rtl")

    # The kiosk browser's language (English here) labels the staff controls.
    switch = page.get_by_role("button", name=re.compile("Gong|Chime"))
    expect(switch).to_have_attribute("aria-pressed", "false")
    expect(switch).to_have_text(re.compile(": (aus|off)$"))
    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "true")
    expect(switch).to_have_text(re.compile(": (an|on)$"))
    assert page.evaluate("() => localStorage.getItem('display-chime')") == "on"
    assert page.evaluate("() => document.body.hasAttribute('data-chimed')")
    page.reload()
    switch = page.get_by_role("button", name=re.compile("Gong|Chime"))
    expect(switch).to_have_attribute("aria-pressed", "true")

    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("() => window.__cspViolations") == []
    assert watched.console == []
