"""The resident's booking in chromium on a phone: book, verify, move, cancel; by keyboard; axe."""

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from appointments import booking, notifications
from appointments.models import (
    Appointment,
    CancellationReason,
    Channel,
    Contingent,
    DelayedRelease,
    Slot,
    Status,
)
from tests.browser.helpers import (
    WCAG,
    at,
    choose_day,
    choose_time,
    code_from_url,
    day_of,
    fill_details,
    focused,
    label,
    open_office,
    reserve,
    t,
    tab_until,
    verification_link,
    walk_to_calendar,
    walk_to_details,
)
from tests.factories import (
    ServiceFactory,
    TeamFactory,
    bookable_slot,
    person,
    route_all,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def site(resident_site):
    return resident_site


def assert_counters_consistent(*slots):
    for slot in slots:
        slot.refresh_from_db()
        assert 0 <= slot.booked <= slot.capacity
        assert slot.booked == booking.place_holders(slot), slot


def book_verify_move_and_cancel(page, base, language, office, email):
    """The whole resident flow by clicks; returns the appointment's code."""
    first, second = office.slots
    direction = "rtl" if language == "ar" else "ltr"

    def in_page_language():
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("html")).to_have_attribute("dir", direction)

    page.goto(f"{base}/{language}/")
    in_page_language()
    page.get_by_role(
        "link", name=t(language, "Book: %(name)s", name=office.service.name), exact=True
    ).click()
    expect(page).to_have_url(at(base, f"/{language}/buchen/{office.service.slug}/"))
    walk_to_calendar(page, base, language, office.service)
    choose_day(page, first)
    choose_time(page, first)
    in_page_language()
    fill_details(page, email=email)
    reserve(page, language)

    expect(page).to_have_url(at(base, rf"/{language}/termin/[A-Z0-9]+/reserviert/"))
    code = code_from_url(page, "reserviert")
    expect(page.locator("main")).to_contain_text(code)
    assert Appointment.objects.get(code=code).status == Status.HELD

    page.goto(verification_link(email))
    expect(page.locator("h1")).to_have_text(t(language, "Confirm appointment"))
    in_page_language()
    page.get_by_role("button", name=t(language, "Confirm appointment"), exact=True).click()

    expect(page).to_have_url(at(base, f"/{language}/termin/{code}/"))  # the token left the URL
    main = page.locator("main")
    expect(main).to_contain_text(t(language, "Thank you: your appointment is booked."))
    expect(main.locator(".appointment-summary")).to_contain_text(code)
    expect(main.locator(".appointment-summary")).to_contain_text(
        label(language, Status.BOOKED.label)
    )

    page.get_by_role("link", name=t(language, "Printable confirmation"), exact=True).click()
    expect(page).to_have_url(at(base, f"/{language}/termin/{code}/drucken/"))
    expect(page.locator("main")).to_contain_text(code)
    page.go_back()
    ics = page.get_by_role("link", name=t(language, "Add to calendar (.ics)"), exact=True)
    response = page.request.get(base + ics.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in response.text()

    page.get_by_role("link", name=t(language, "Choose another time"), exact=True).click()
    expect(page).to_have_url(at(base, f"/{language}/termin/{code}/verschieben/"))
    choose_day(page, second)
    choose_time(page, second)
    expect(page.locator("h1")).to_have_text(t(language, "Move the appointment?"))
    assert Appointment.objects.get(code=code).slot_id == first.pk  # not moved before confirming
    page.get_by_role("button", name=t(language, "Yes, move the appointment"), exact=True).click()
    expect(page).to_have_url(at(base, f"/{language}/termin/{code}/"))
    expect(page.locator("main")).to_contain_text(t(language, "Your appointment has been moved."))
    assert Appointment.objects.get(code=code).slot_id == second.pk

    page.get_by_role("link", name=t(language, "Cancel appointment"), exact=True).click()
    expect(page).to_have_url(at(base, f"/{language}/termin/{code}/absagen/"))
    page.get_by_role("button", name=t(language, "Yes, cancel the appointment"), exact=True).click()
    expect(page).to_have_url(at(base, f"/{language}/termin/{code}/"))
    main = page.locator("main")
    expect(main).to_contain_text(t(language, "This appointment has been cancelled."))
    expect(main.locator(".appointment-summary")).to_contain_text(
        label(language, Status.CANCELLED.label)
    )
    in_page_language()
    expect(
        page.get_by_role("link", name=t(language, "Cancel appointment"), exact=True)
    ).to_have_count(0)
    return code


def test_german_resident_books_verifies_moves_and_cancels_on_a_phone(site, page):
    office = open_office()
    first, second = office.slots

    code = book_verify_move_and_cancel(page, site, "de", office, "erika@example.test")

    appointment = Appointment.objects.get(code=code)
    assert appointment.status == Status.CANCELLED
    assert appointment.cancellation_reason == CancellationReason.RESIDENT
    assert appointment.slot_id == second.pk
    assert appointment.language == "de"
    # Both places stay blocked for the anti-trading delay: the old one by the move, the new
    # one by the cancellation; each is one delayed release and no appointment.
    assert_counters_consistent(first, second)
    assert (first.booked, second.booked) == (1, 1)
    assert DelayedRelease.objects.filter(slot__in=[first, second]).count() == 2
    # Verification, confirmation, reschedule, cancellation: one mail each, to the resident.
    assert [m.to for m in mail.outbox] == [["erika@example.test"]] * 4
    assert len({m.subject for m in mail.outbox}) == 4


def test_arabic_resident_gets_a_right_to_left_flow_and_arabic_mail(site, page):
    office = open_office()
    first, second = office.slots

    code = book_verify_move_and_cancel(page, site, "ar", office, "amal@example.test")

    expect(page.locator("html")).to_have_attribute("dir", "rtl")  # checked on every step
    appointment = Appointment.objects.get(code=code)
    assert appointment.language == "ar"  # the form's default follows the page language
    assert appointment.status == Status.CANCELLED
    assert_counters_consistent(first, second)

    verification = mail.outbox[0]
    assert f"/ar/termin/{code}/bestaetigen/?t=" in verification.body
    html = verification.alternatives[0][0]
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    appointment.language = "de"
    german_subject, _text, _html = notifications.render_message(
        "verification", appointment, verify_url="", hold_minutes=30
    )
    assert verification.subject != german_subject, "the verification subject is not translated"


def test_booking_up_to_the_reservation_works_with_the_keyboard_alone(site, page, settings):
    """Tab, Shift+Tab, Enter, Space and typing only; the real anti-bot widget is on."""
    settings.BOOKING_CHALLENGE = True
    office = open_office()
    slot = office.slots[0]
    keyboard = page.keyboard
    page.goto(f"{site}/de/")

    book = t("de", "Book: %(name)s", name=office.service.name)
    tab_until(page, lambda e: e["tag"] == "a" and e["text"] == book)
    keyboard.press("Enter")
    expect(page).to_have_url(at(site, f"/de/buchen/{office.service.slug}/"))

    tab_until(page, lambda e: e["id"] == "id_surname")
    keyboard.type("Muster")
    keyboard.press("Tab")
    assert focused(page)["id"] == "id_surname_latin"  # optional: only for other scripts
    keyboard.press("Tab")
    assert focused(page)["id"] == "id_nationality"
    keyboard.type("Syri")  # the select's type-ahead picks "Syrien"
    assert focused(page)["value"] == "SY"
    tab_until(page, lambda e: e["tag"] == "button" and e["text"] == t("de", "Show free times"))
    keyboard.press("Enter")
    expect(page).to_have_url(at(site, f"/de/buchen/{office.service.slug}/zeit/"))

    day = f"?day={day_of(slot).isoformat()}"
    tab_until(page, lambda e: e["href"] == f"{day}#times")
    keyboard.press("Enter")
    expect(page).to_have_url(at(site, f"/de/buchen/{office.service.slug}/zeit/" + re.escape(day)))
    tab_until(page, lambda e: e["tag"] == "button" and e["value"] == str(slot.pk))
    keyboard.press("Space")
    expect(page).to_have_url(at(site, f"/de/buchen/{office.service.slug}/daten/"))

    tab_until(page, lambda e: e["id"] == "id_given_names")
    keyboard.type("Erika")
    keyboard.press("Tab")
    assert focused(page)["id"] == "id_date_of_birth"
    keyboard.type("01011990")  # day and month alike, whatever order the locale uses
    tab_until(page, lambda e: e["id"] == "id_email")
    keyboard.type("erika@example.test")
    keyboard.press("Tab")
    assert focused(page)["id"] == "id_email_repeat"
    keyboard.type("erika@example.test")
    tab_until(page, lambda e: e["id"] == "id_consent")
    keyboard.press("Space")
    # Shift+Tab goes back: the privacy link sits right before the consent box.
    keyboard.press("Shift+Tab")
    assert focused(page)["href"].endswith("/datenschutz/")
    keyboard.press("Tab")
    assert focused(page)["id"] == "id_consent"
    tab_until(
        page, lambda e: e["tag"] == "input" and e["type"] == "checkbox" and "altcha" in e["id"]
    )
    keyboard.press("Space")
    expect(page.locator("altcha-widget input[name=altcha]")).to_have_value(
        re.compile(".+"), timeout=30_000
    )
    tab_until(page, lambda e: e["tag"] == "button" and e["text"] == t("de", "Reserve this time"))
    keyboard.press("Enter")

    expect(page).to_have_url(at(site, r"/de/termin/[A-Z0-9]+/reserviert/"))
    appointment = Appointment.objects.get(code=code_from_url(page, "reserviert"))
    assert appointment.status == Status.HELD
    assert (appointment.surname, appointment.given_names) == ("Muster", "Erika")
    assert appointment.nationality == "SY"
    assert appointment.date_of_birth.isoformat() == "1990-01-01"
    assert appointment.email == "erika@example.test"
    assert appointment.slot_id == slot.pk


@pytest.mark.parametrize("language", ["de", "ar"])
def test_every_resident_page_has_no_wcag_violations(site, page, settings, language):
    """axe-core (WCAG 2.1 A/AA) on each page and state a resident can reach, in one walk."""
    settings.BOOKING_CHALLENGE = True  # the details page as residents get it, widget included
    office = open_office()
    first, second = office.slots
    service = office.service
    no_times = ServiceFactory()
    route_all(no_times, office.team)
    offline = ServiceFactory(bookable_online=False, offline_hint="Bitte rufen Sie uns an.")
    axe, violations, audited = Axe(), {}, []

    def audit(name, heading=None):
        if heading is not None:
            expect(page.locator("h1")).to_have_text(heading)
        results = axe.run(page, options=WCAG)
        audited.append(name)
        if results.violations_count:
            violations[name] = results.generate_report()

    def tr(message, **params):
        return t(language, message, **params)

    base = f"{site}/{language}"
    page.goto(f"{base}/")
    audit("home", tr("Appointments at the foreigners' authority"))
    page.goto(f"{base}/datenschutz/")
    audit("privacy", tr("Privacy notice for online appointments"))
    assert page.goto(f"{base}/gibt-es-nicht/").status == 404
    audit("page not found", tr("Page not found"))
    page.goto(f"{base}/buchen/{offline.slug}/")
    expect(page.locator("main")).to_contain_text("Bitte rufen Sie uns an.")
    audit("not bookable online")

    walk_to_calendar(page, site, language, no_times)
    expect(page.locator("main")).to_contain_text(tr("All times are taken at the moment."))
    audit("calendar without free times")

    page.goto(f"{base}/buchen/{service.slug}/")
    audit("start")
    page.get_by_role("button", name=tr("Show free times"), exact=True).click()
    expect(page.locator("#error-summary")).to_be_visible()
    audit("start with errors")
    walk_to_calendar(page, site, language, service)
    audit("calendar")
    choose_day(page, first)
    audit("calendar with a day")
    gone = day_of(first) + dt.timedelta(days=1)
    page.goto(f"{base}/buchen/{service.slug}/zeit/?day={gone.isoformat()}")
    expect(page.get_by_role("alert")).to_have_text(
        tr("There are no free times on that day any more.")
    )
    audit("calendar, day without free times")

    choose_day(page, first)
    choose_time(page, first)
    expect(page.locator("altcha-widget input[type=checkbox]")).to_be_visible()
    audit("details", tr("Your details"))
    fill_details(page, email="erika@", consent=False)
    reserve(page, language)
    expect(page.locator("#error-summary")).to_be_visible()
    audit("details with errors")

    settings.BOOKING_CHALLENGE = False
    fill_details(page)
    reserve(page, language)
    expect(page).to_have_url(at(site, rf"/{language}/termin/[A-Z0-9]+/reserviert/"))
    code = code_from_url(page, "reserviert")
    audit("reserved", tr("Almost done: please check your e-mail"))

    link = verification_link("erika@example.test")
    assert page.goto(link.split("?t=")[0] + "?t=wrong-token").status == 404
    audit("not found (wrong token)", tr("Appointment not found"))
    page.goto(link)
    audit("verify", tr("Confirm appointment"))
    page.get_by_role("button", name=tr("Confirm appointment"), exact=True).click()
    expect(page).to_have_url(at(site, f"/{language}/termin/{code}/"))
    audit("manage (booked)", tr("Your appointment"))
    page.get_by_role("link", name=tr("Printable confirmation"), exact=True).click()
    audit("print", tr("Appointment confirmation"))
    page.goto(f"{base}/termin/{code}/verschieben/")
    audit("reschedule", tr("Choose another time"))
    choose_day(page, second)
    audit("reschedule with a day")
    page.goto(f"{base}/termin/{code}/absagen/")
    audit("cancel", tr("Cancel appointment?"))
    page.get_by_role("button", name=tr("Yes, cancel the appointment"), exact=True).click()
    expect(page.locator("main")).to_contain_text(tr("This appointment has been cancelled."))
    audit("manage (cancelled)", tr("Your appointment"))

    late, token = booking.book(
        service=service,
        slot_id=second.pk,
        person=person(1, language=language),
        channel=Channel.ONLINE,
    )
    Appointment.objects.filter(pk=late.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    page.goto(f"{base}/termin/{late.code}/bestaetigen/?t={token}")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name=tr("Confirm appointment"), exact=True).click()
    assert answer.value.status == 410
    audit("reservation expired", tr("Reservation expired"))

    settings.RATE_LIMIT_HOLDS_PER_IP_HOUR = 0  # this address already reserved once
    walk_to_details(page, site, language, service, second, surname="Beispiel")
    fill_details(page, email="other@example.test")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        reserve(page, language)
    assert answer.value.status == 429
    audit("too many attempts", tr("Too many attempts"))
    assert Appointment.objects.filter(email="other@example.test").count() == 0

    assert len(audited) == 23
    # The check itself works: an unlabelled field on this page is reported.
    page.locator("main").evaluate("main => main.append(document.createElement('input'))")
    assert axe.run(page, options=WCAG).violations_count > 0
    assert not violations, "\n\n".join(
        f"== {name}\n{report}" for name, report in violations.items()
    )


def test_invalid_and_mismatching_e_mail_show_a_linked_error_summary_and_book_nothing(site, page):
    office = open_office()
    slot = office.slots[0]
    walk_to_details(page, site, "de", office.service, slot)

    fill_details(page, email="erika@example")  # no dot in the domain: invalid
    reserve(page, "de")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(page).to_have_title(re.compile("^" + re.escape(t("de", "Error")) + ": "))
    link = summary.locator('a[href="#id_email"]')
    expect(link).to_contain_text(t("de", "E-mail address"))
    link.click()
    assert focused(page)["id"] == "id_email"
    expect(page.locator("#id_email")).to_be_in_viewport()

    page.fill("#id_email", "erika@example.test")
    page.fill("#id_email_repeat", "erika@example.org")
    page.check("#id_consent")
    reserve(page, "de")
    mismatch = t("de", "The two e-mail addresses are not the same.")
    link = page.locator('#error-summary a[href="#id_email_repeat"]')
    expect(link).to_contain_text(mismatch)
    expect(page.locator('#error-summary a[href="#id_email"]')).to_have_count(0)
    link.click()
    assert focused(page)["id"] == "id_email_repeat"
    expect(page.locator("#id_email_repeat")).to_be_in_viewport()
    expect(page.locator("#id_email_repeat")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_email_repeat")).to_have_accessible_description(
        re.compile(re.escape(mismatch))
    )

    assert Appointment.objects.count() == 0
    slot.refresh_from_db()
    assert slot.booked == 0
    assert mail.outbox == []


def _foreign_slot(office, kind):
    """A slot id the calendar did not offer: none at all, another team's, an internal one."""
    if kind == "unknown":
        return Slot.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    if kind == "other team":
        return bookable_slot(service=office.service, team=TeamFactory(), days_ahead=4)[2].pk
    return bookable_slot(
        service=office.service, team=office.team, contingent=Contingent.INTERNAL, days_ahead=4
    )[2].pk


@pytest.mark.parametrize(
    "kind",
    [
        "unknown",
        "other team",
        "internal contingent",
    ],
)
def test_a_manipulated_slot_id_is_refused_with_a_clear_message(site, page, kind):
    office = open_office()
    walk_to_calendar(page, site, "de", office.service)
    choose_day(page, office.slots[0])
    foreign = _foreign_slot(office, kind)
    button = page.locator('button[name="slot"]').first
    button.evaluate("(button, value) => { button.value = value; }", str(foreign))
    button.click()

    expect(page).to_have_url(at(site, f"/de/buchen/{office.service.slug}/zeit/"))
    expect(page.get_by_role("alert")).to_have_text(t("de", "Please choose one of the free times."))
    # Nothing was chosen: the details step sends the resident back to the start.
    page.goto(f"{site}/de/buchen/{office.service.slug}/daten/")
    expect(page).to_have_url(at(site, f"/de/buchen/{office.service.slug}/"))
    assert Appointment.objects.count() == 0
    assert list(Slot.objects.filter(booked__gt=0)) == []
