"""The held page, the calendar during a closure and the final submit in chromium, in German
and Arabic (RTL): the clock time and a countdown that ticks, "send it again" by keyboard, a
closed office that says so with its reason and the way for urgent cases, and a double click
that books once while the button says it is sending; axe 0 violations throughout."""

import datetime as dt
import re
import threading

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import Appointment, Closure, OutboxMessage, Status
from appointments.views import wizard
from tests.browser.helpers import (
    assert_accessible,
    at,
    code_from_url,
    fill_details,
    open_office,
    reserve,
    t,
    tab_until,
    verification_link,
    walk_to_calendar,
    walk_to_details,
)
from tests.factories import ServiceFactory, TeamFactory, route_all, rule_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["de", "ar"]


@pytest.fixture(autouse=True)
def site(resident_site):
    return resident_site


def assert_direction(page, language):
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")


def hold_until(appointment):
    return timezone.localtime(appointment.hold_expires_at).strftime("%H:%M")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_held_page_counts_down_to_its_clock_time_and_sends_again_by_keyboard(
    site, page, settings, clock, language
):
    settings.HOLD_RESEND_INTERVAL_SECONDS = 60
    office = open_office()
    walk_to_details(page, site, language, office.service, office.slots[0])
    fill_details(page, email="lina@example.test")
    reserve(page, language)
    expect(page).to_have_url(at(site, rf"/{language}/termin/[A-Z0-9]+/reserviert/"))
    code = code_from_url(page, "reserviert")
    held = Appointment.objects.get(code=code)
    assert held.status == Status.HELD
    until = hold_until(held)
    assert_direction(page, language)

    expect(page.locator(".hold-until")).to_have_text(
        t(
            language,
            "We have reserved the time for you until %(until)s and sent you an e-mail.",
            until=until,
        )
    )
    timer = page.get_by_role("timer")
    expect(timer).to_be_visible()
    expect(timer).to_have_text(re.compile(r"^(29:[0-5]\d|30:00)$"))
    # It ticks: the text changes within a few seconds, twice.
    for _tick in range(2):
        shown = timer.inner_text()
        expect(timer).not_to_have_text(shown, timeout=5000)
    expect(page.locator("main")).to_contain_text("l•••@example.test")
    assert_accessible(page)

    # A minute later "send it again", by keyboard alone: the same link, the same clock time.
    clock.shift(dt.timedelta(seconds=61))
    first_link = verification_link("lina@example.test")
    again = t(language, "Send the e-mail again")
    tab_until(page, lambda element: element["text"] == again, limit=60)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(at(site, rf"/{language}/termin/{code}/reserviert/"))
    expect(page.get_by_role("alert")).to_have_text(t(language, "We have sent the e-mail again."))
    expect(page.locator(".hold-until")).to_contain_text(until)
    sent = [m for m in mail.outbox if "lina@example.test" in m.to]
    assert len(sent) == 2 and verification_link("lina@example.test") == first_link
    assert OutboxMessage.objects.filter(appointment=held, kind="verification").count() == 2
    held.refresh_from_db()
    assert hold_until(held) == until and held.status == Status.HELD
    # The countdown goes on from what is left (the clock moved a minute on).
    expect(timer).to_have_text(re.compile(r"^(28:[0-5]\d|29:00)$"))
    assert_accessible(page)

    # Asking again at once: refused with the waiting time, nothing sent.
    tab_until(page, lambda element: element["text"] == again, limit=60)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # "... in 58 seconds" (the slow machine may take a few of them to get there).
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"\b([2-5]\d|60)\b"))
    assert len([m for m in mail.outbox if "lina@example.test" in m.to]) == 2
    assert_accessible(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_held_page_shows_the_way_back_when_the_countdown_ends(
    site, page, settings, clock, language
):
    office = open_office()
    walk_to_details(page, site, language, office.service, office.slots[0])
    fill_details(page, email="rana@example.test")
    reserve(page, language)
    expect(page).to_have_url(at(site, rf"/{language}/termin/[A-Z0-9]+/reserviert/"))
    # 29 min 57 s later the page, reloaded, has three seconds left; the script ends it.
    clock.shift(dt.timedelta(minutes=29, seconds=57))
    page.reload()
    expired = t(language, "The reservation has expired")
    expect(page.get_by_role("heading", name=expired)).to_be_visible(timeout=10_000)
    expect(page.get_by_role("timer")).to_be_hidden()
    link = page.get_by_role("link", name=t(language, "Choose a time again"))
    expect(link).to_be_visible()
    assert_accessible(page)


@pytest.fixture
def closed_office():
    """Mon-Fri office, bookable 1 to 28 days ahead, closed from tomorrow for six weeks."""
    service = ServiceFactory(booking_window_min_days=1, booking_window_max_days=28)
    team = TeamFactory()
    route_all(service, team)
    for weekday in range(5):
        rule_for(team, [service], weekday=weekday)
    today = timezone.localdate()
    Closure.objects.create(
        team=None,
        start=timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time())),
        end=timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=43), dt.time())),
        reason="Umzug in das neue Dienstgebäude",
    )
    return service


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_calendar_of_a_closed_office_says_closed_and_names_the_way_for_urgent_cases(
    site, page, settings, closed_office, language
):
    walk_to_calendar(page, site, language, closed_office)
    assert_direction(page, language)
    status = page.locator("main").get_by_role("status")
    expect(status).to_contain_text(
        t(language, "The office is closed on every day that can be booked at the moment.")
    )
    expect(status).to_contain_text("Umzug in das neue Dienstgebäude")
    expect(status).to_contain_text(settings.CONTACT_PHONE)
    expect(status).to_contain_text(settings.CONTACT_EMAIL)
    main = page.locator("main").inner_text()
    assert t(language, "All times are taken at the moment.") not in main
    # Every closed office day of the window is listed, none is offered.
    expect(status.locator(".closed-days li")).to_have_count(20)
    expect(page.locator("ul.day-list")).to_have_count(0)
    assert_accessible(page)


# Runs before the page's scripts: on each submit, once the page's own zero-delay timer has
# run, note what the buttons of the form look like (kept in sessionStorage across the
# navigation that follows).
RECORD_SUBMITS = """
window.addEventListener("submit", (event) => {
    const form = event.target;
    setTimeout(() => {
        const buttons = [...form.querySelectorAll("button[type=submit]")];
        const seen = JSON.parse(sessionStorage.getItem("submits") || "[]");
        seen.push({busy: form.getAttribute("aria-busy"),
                   disabled: buttons.map((b) => b.disabled),
                   labels: buttons.map((b) => b.textContent.trim())});
        sessionStorage.setItem("submits", JSON.stringify(seen));
    }, 50);
}, true);
"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_double_click_on_reserve_books_once_and_the_button_says_it_is_sending(
    site, page, monkeypatch, language
):
    office = open_office()
    page.context.add_init_script(RECORD_SUBMITS)
    walk_to_details(page, site, language, office.service, office.slots[0])
    fill_details(page, email="dana@example.test")
    posts = []
    page.on("request", lambda r: r.method == "POST" and "/daten/" in r.url and posts.append(r))
    # The server answers the reservation a little later, as on a slow line.
    arrived = threading.Event()
    hold = wizard._hold

    def slow_hold(*args, **kwargs):
        arrived.set()
        threading.Event().wait(timeout=2)
        return hold(*args, **kwargs)

    monkeypatch.setattr(wizard, "_hold", slow_hold)
    page.evaluate("() => sessionStorage.removeItem('submits')")  # the earlier steps' submits
    page.get_by_role("button", name=t(language, "Reserve this time"), exact=True).dblclick()
    expect(page).to_have_url(at(site, rf"/{language}/termin/[A-Z0-9]+/reserviert/"))
    assert arrived.is_set()
    assert len(posts) == 1
    assert Appointment.objects.filter(email="dana@example.test").count() == 1
    office.slots[0].refresh_from_db()
    assert office.slots[0].booked == 1
    # While it was on its way, the form was busy, its button disabled and saying so.
    submitted = page.evaluate("() => JSON.parse(sessionStorage.getItem('submits'))")
    assert 1 <= len(submitted) <= 2, submitted  # the second click may not even submit
    for seen in submitted:
        assert seen["busy"] == "true", submitted
        assert seen["disabled"] and all(seen["disabled"]), submitted
        assert t(language, "Sending…") in seen["labels"], submitted
