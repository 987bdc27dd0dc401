"""The site's own Content-Security-Policy in chromium: the main resident and staff pages load
(bootstrap, the ALTCHA widget and its worker, the display's refresh, the second-factor QR code)
without a single CSP violation."""

import re

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from appointments import booking
from caseworkers.models import DeviceToken
from tests.browser.helpers import open_office, walk_to_details
from tests.factories import PASSWORD, person, staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script; Playwright injects it outside the page's CSP.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


class Watched:
    """A page in a context that records CSP violations: events per page, console errors."""

    def __init__(self, browser):
        self.context = browser.new_context()
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.page = self.context.new_page()
        self.console = []
        self.page.on(
            "console",
            lambda msg: (
                msg.type == "error"
                and ("Content Security Policy" in msg.text or "Refused to" in msg.text)
                and self.console.append(msg.text)
            ),
        )
        self.seen = {}

    def record(self):
        """Keep the violations of the current page (events vanish with the next navigation)."""
        self.page.wait_for_load_state("load")
        self.seen[self.page.url] = self.page.evaluate("() => window.__cspViolations || []")

    def visit(self, url):
        response = self.page.goto(url)
        assert response.ok, (url, response.status)
        assert "default-src 'self'" in response.headers["content-security-policy"]
        self.record()

    def assert_clean(self):
        violations = {url: found for url, found in self.seen.items() if found}
        assert violations == {}, violations
        assert self.console == [], self.console
        assert len(self.seen) >= 3


def test_resident_pages_load_without_csp_violations(live_server, browser, settings):
    settings.BOOKING_CHALLENGE = True  # the ALTCHA widget and its worker, under our own CSP
    office = open_office(days_ahead=(3, 5))
    appointment, token = booking.book(
        service=office.service, slot_id=office.slots[1].pk, person=person(1), channel="online"
    )
    booking.verify(code=appointment.code, token=token)
    base, watched = live_server.url, Watched(browser)

    for path in ("/de/", "/ar/", "/de/datenschutz/"):
        watched.visit(f"{base}{path}")
    walk_to_details(watched.page, base, "de", office.service, office.slots[0])
    watched.page.locator("altcha-widget label").click()  # solve: the worker runs
    expect(watched.page.locator("altcha-widget input[name=altcha]")).to_have_value(
        re.compile(".+"), timeout=30_000
    )
    watched.record()
    watched.visit(f"{base}/de/termin/{appointment.code}/?t={token}")
    assert watched.page.locator("svg.qr-code").count() == 1
    watched.visit(f"{base}/de/termin/{appointment.code}/drucken/")
    watched.assert_clean()


def test_staff_pages_and_the_second_factor_load_without_csp_violations(
    live_server, browser, settings
):
    settings.STAFF_2FA_REQUIRED = True
    office = open_office(days_ahead=(0, 3))
    user = staff("supervisor", "reception", "caseworker", username="teamleitung", password=PASSWORD)
    _device, display_token = DeviceToken.issue(name="Wartebereich", teams=[office.team])
    base, watched = live_server.url, Watched(browser)
    page = watched.page

    watched.visit(f"{base}/backoffice/login/")
    page.get_by_label(re.compile("Benutzername|Username")).fill(user.username)
    page.get_by_label(re.compile("Passwort|Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Anmelden|Log in")).click()
    expect(page).to_have_url(re.compile(r"/backoffice/two-factor/setup/"))
    watched.record()
    assert page.locator("svg.qr-code").count() == 1
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    code = f"{totp(device.bin_key):06d}"
    page.get_by_label(re.compile("Code aus der App|Code from the app")).fill(code)
    page.get_by_role("button", name=re.compile("^(Bestätigen|Confirm)$")).click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    watched.record()
    page.get_by_role("link", name=re.compile("^(Weiter|Continue)$")).click()
    expect(page).to_have_url(f"{base}/backoffice/")
    watched.record()

    for path in (
        "/backoffice/reception/",
        f"/backoffice/queue/{office.team.pk}/",
        "/backoffice/manage/",
        "/backoffice/reports/",
        "/backoffice/invitations/",
        f"/backoffice/display/?device={display_token}",
    ):
        watched.visit(f"{base}{path}")
    page.wait_for_timeout(1500)  # the board's refresh script runs at least once
    watched.record()
    watched.assert_clean()


def test_the_admin_loads_without_csp_violations(live_server, browser):
    get_user_model().objects.create_superuser("chefin", "chefin@example.test", PASSWORD)
    base, watched = live_server.url, Watched(browser)
    page = watched.page
    watched.visit(f"{base}/admin/login/")
    page.fill("#id_username", "chefin")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page).to_have_url(f"{base}/admin/")
    watched.record()
    for path in ("/admin/appointments/", "/admin/auth/user/", "/admin/auth/user/add/"):
        watched.visit(f"{base}{path}")
    watched.assert_clean()
