"""Help pages in chromium, in German, Arabic (RTL) and English, by keyboard, axe 0 violations,
no CSP violation: find my appointment, the live wait page (title, vibration when called) and
the check of a signed confirmation."""

import re

import pytest
from django.core import mail as django_mail
from django.utils import translation
from django.utils.translation import ngettext
from playwright.sync_api import expect

from appointments import booking, queue, verification, wait_status
from appointments.models import CancellationReason
from tests.appointments.test_queue import booked_today
from tests.browser.helpers import assert_accessible, t
from tests.browser.test_csp import Watched
from tests.factories import appointment, bookable_slot, desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["de", "ar", "en"]
RECORD_VIBRATION = """
window.__vibrations = [];
navigator.vibrate = function (pattern) { window.__vibrations.push(pattern); return true; };
"""


def ahead_of_me(language, count):
    with translation.override(language):
        return ngettext("%(count)s person before you", "%(count)s people before you", count) % {
            "count": count
        }


def assert_no_csp_violation(watched):
    assert {url: found for url, found in watched.seen.items() if found} == {}
    assert watched.console == []


def assert_direction(page, language):
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")


@pytest.mark.parametrize("language", LANGUAGES)
def test_find_my_appointment_by_keyboard_sends_a_new_link(live_server, browser, settings, language):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.FIND_MIN_SECONDS = 0
    service, _team, slot = bookable_slot(days_ahead=3)
    booked = appointment(service=service, slot=slot, n=1)
    django_mail.outbox.clear()
    watched = Watched(browser)
    page = watched.page
    watched.visit(f"{live_server.url}/{language}/")
    # The footer's contact block leads to the page.
    page.get_by_role(
        "link", name=t(language, "Lost the mail with your link? Find your appointment")
    ).click()
    expect(page).to_have_url(re.compile(rf"/{language}/termin-finden/$"))
    watched.record()
    assert_direction(page, language)
    expect(page.locator("footer")).to_contain_text(settings.CONTACT_PHONE)
    assert_accessible(page)

    page.locator("#id_code").focus()
    page.keyboard.type(booked.code.lower())
    page.keyboard.press("Tab")
    page.locator("#id_date_of_birth").fill(booked.date_of_birth.isoformat())
    page.locator("#id_date_of_birth").focus()
    # The date field's parts (day, month, year) take one Tab each.
    for _part in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "id_email":
            break
    expect(page.locator("#id_email")).to_be_focused()
    page.keyboard.type(booked.email)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t(language, "Please check your mailbox")
    )
    watched.record()
    assert_accessible(page)
    assert_no_csp_violation(watched)
    [sent] = [m for m in django_mail.outbox if "/termin/" in m.body]
    assert sent.to == [booked.email]
    assert re.search(rf"/{booked.language}/termin/{booked.code}/\?t=[\w-]+", sent.body)


@pytest.mark.clock("2026-11-10 09:50")
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_live_wait_page_announces_the_call(live_server, browser, settings, language):
    settings.WAIT_STATUS_POLL_SECONDS = 5
    first = booked_today(1)
    me = booked_today(2, team=first.slot.team, service=first.service)
    queue.check_in(appointment_id=first.pk)
    me = queue.check_in(appointment_id=me.pk)
    watched = Watched(browser)
    watched.context.add_init_script(RECORD_VIBRATION)
    page = watched.page
    watched.visit(f"{live_server.url}/{language}/warten/{wait_status.ticket_token(me)}/")
    assert_direction(page, language)
    expect(page.locator(".wait-number")).to_have_text(me.waiting_number)
    expect(page.locator("[data-wait-headline]")).to_have_text(ahead_of_me(language, 1))
    assert_accessible(page)
    # By keyboard: the reload link works without the script as well.
    page.get_by_role("link", name=t(language, "Update now")).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    watched.record()

    queue.call(appointment_id=first.pk, counter=desk(first.slot.team, "2"))
    queue.start_service(appointment_id=first.pk)
    queue.call(appointment_id=me.pk, counter=desk(me.slot.team, "3"))
    turn = t(language, "It's your turn — counter %(counter)s", counter="3")
    expect(page).to_have_title(re.compile(re.escape(turn)), timeout=15000)
    expect(page.locator("[data-wait-headline]")).to_have_text(turn)
    assert page.evaluate("() => window.__vibrations.length") == 1
    assert_accessible(page)
    watched.record()
    assert_no_csp_violation(watched)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_confirmation_check_page(live_server, browser, language):
    service, _team, slot = bookable_slot(days_ahead=3)
    booked = appointment(service=service, slot=slot, n=1)
    token = verification.check_token(booked)
    watched = Watched(browser)
    page = watched.page
    watched.visit(f"{live_server.url}/{language}/pruefen/{token}/")
    assert_direction(page, language)
    expect(page.get_by_role("status")).to_contain_text("1990")
    expect(page.get_by_role("status")).to_contain_text("E. M.")
    assert booked.surname not in page.content()
    assert_accessible(page)

    booking.cancel(appointment_id=booked.pk, reason=CancellationReason.RESIDENT)
    response = page.goto(f"{live_server.url}/{language}/pruefen/{token}/")
    assert response.status == 404
    expect(page.get_by_role("status")).to_contain_text(
        t(
            language,
            "This confirmation cannot be checked: the link is not valid, or the appointment is "
            "no longer valid (moved, cancelled or over).",
        )
    )
    assert "1990" not in page.locator("main").inner_text()
    assert_accessible(page)
