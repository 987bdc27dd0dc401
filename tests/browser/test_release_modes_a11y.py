"""axe-core on the supervisors' release-mode screen in chromium: the list, the form with the
waiting wishes, its error state, and a switch to allocation saved from the form."""

import re

import pytest
from playwright.sync_api import expect

from appointments.models import ReleaseMode, Service
from tests.appointments.waitlist.helpers import wish_row
from tests.browser.helpers import assert_accessible
from tests.browser.test_supervision_a11y import log_in
from tests.factories import ServiceFactory, TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_release_mode_screen_is_accessible_and_switches_the_mode(
    live_server, page, supervisor_user
):
    service = ServiceFactory(name="Aufenthaltserlaubnis verlängern")
    team = TeamFactory()
    for n in range(2):
        wish_row(service=service, team=team, n=n)
    base = f"{live_server.url}/backoffice/manage/release/"
    log_in(page, live_server.url)
    expect(page).to_have_url(f"{live_server.url}/backoffice/")

    page.goto(base)
    assert_accessible(page)
    page.get_by_role("link", name="Aufenthaltserlaubnis verlängern").click()
    expect(page.get_by_text(re.compile("2 (Terminwünsche warten|wishes wait)"))).to_be_visible()
    assert_accessible(page)

    page.fill("#id_reconfirmation_days", "99")
    page.get_by_role("button", name=re.compile("Speichern|Save")).click()
    expect(page.locator(".invalid-feedback")).to_contain_text(re.compile("(höchstens|at most) 14"))
    assert_accessible(page)

    page.get_by_label(re.compile("Zuteilung|allocation")).check()
    page.fill("#id_reconfirmation_days", "3")
    page.get_by_role("button", name=re.compile("Speichern|Save")).click()
    expect(page).to_have_url(base)
    expect(page.get_by_role("alert").or_(page.locator(".alert-success"))).to_contain_text(
        re.compile("gespeichert|saved")
    )
    saved = Service.objects.get(pk=service.pk)
    assert (saved.release_mode, saved.reconfirmation_days) == (ReleaseMode.ALLOCATION, 3)
