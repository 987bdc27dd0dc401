"""A family books two persons with needs stated up front, by keyboard alone, in de, ar
(RTL) and en; axe finds no WCAG 2.1 A/AA violation on any page of the way."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from django.utils import translation
from django_countries import countries
from playwright.sync_api import expect

from appointments.models import Appointment, Status
from tests.browser.helpers import (
    PHONE,
    WCAG,
    at,
    code_from_url,
    day_of,
    focused,
    open_office,
    t,
    tab_until,
    verification_link,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def site(settings, live_server, page):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = live_server.url
    settings.BOOKING_CHALLENGE = False
    cache.clear()
    page.set_viewport_size(PHONE)
    return live_server.url


def country_name(language, code):
    with translation.override(language):
        return str(countries.name(code))


@pytest.mark.parametrize("language", ["de", "ar", "en"])
def test_a_family_of_two_books_with_needs_by_keyboard(site, page, language):
    office = open_office()
    slot = office.slots[0]
    slug = office.service.slug
    keyboard = page.keyboard
    axe, violations = Axe(), {}

    def audit(name):
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
        results = axe.run(page, options=WCAG)
        if results.violations_count:
            violations[name] = results.generate_report()

    page.goto(f"{site}/{language}/buchen/{slug}/")
    audit("start with the number of persons")
    tab_until(page, lambda e: e["id"] == "id_surname")
    keyboard.type("Yilmaz")
    keyboard.press("Tab")
    # the optional Latin spelling of the passport comes next; Latin letters need none
    assert focused(page)["id"] == "id_surname_latin"
    keyboard.press("Tab")
    assert focused(page)["id"] == "id_nationality"
    if language == "de":
        keyboard.type(country_name(language, "SY"))  # the select's type-ahead
    else:
        # Playwright types Arabic letters with insertText, which a <select> ignores: pick the
        # option through the focused select itself (no mouse involved).
        page.locator("#id_nationality").select_option("SY")
    assert focused(page)["value"] == "SY"
    tab_until(page, lambda e: e["id"] == "id_persons")
    keyboard.type("2")
    assert focused(page)["value"] == "2"
    tab_until(page, lambda e: e["tag"] == "button" and e["text"] == t(language, "Show free times"))
    keyboard.press("Enter")
    expect(page).to_have_url(at(site, f"/{language}/buchen/{slug}/zeit/"))

    day = f"?day={day_of(slot).isoformat()}"
    tab_until(page, lambda e: e["href"] == f"{day}#times")
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(day)))
    tab_until(page, lambda e: e["tag"] == "button" and e["value"] == str(slot.pk))
    keyboard.press("Space")
    expect(page).to_have_url(at(site, f"/{language}/buchen/{slug}/daten/"))
    # the interpreter language is asked only once help is ticked
    expect(page.locator("#id_interpreter_language")).to_be_hidden()
    audit("details for two persons")

    tab_until(page, lambda e: e["id"] == "id_given_names")
    keyboard.type("Ayse")
    keyboard.press("Tab")
    keyboard.type("05051985")
    tab_until(page, lambda e: e["id"] == "id_email")
    keyboard.type("family@example.test")
    keyboard.press("Tab")
    keyboard.type("family@example.test")
    tab_until(page, lambda e: e["id"] == "id_person-0-given_names")
    keyboard.type("Elif")
    tab_until(page, lambda e: e["id"] == "id_person-0-surname")
    assert focused(page)["value"] == "Yilmaz"  # prefilled with the booker's surname
    tab_until(page, lambda e: e["id"] == "id_person-0-date_of_birth")
    keyboard.type("03032014")
    tab_until(page, lambda e: e["id"] == "id_interpreter_needed")
    keyboard.press("Space")
    expect(page.locator("#id_interpreter_language")).to_be_visible()
    keyboard.press("Tab")
    assert focused(page)["id"] == "id_interpreter_language"
    keyboard.type("Arabisch")
    tab_until(page, lambda e: e["id"] == "id_needs_wheelchair")
    keyboard.press("Space")
    tab_until(page, lambda e: e["id"] == "id_needs_note")
    keyboard.type("Bitte Erdgeschoss")
    audit("details filled in")
    tab_until(page, lambda e: e["id"] == "id_consent")
    keyboard.press("Space")
    tab_until(
        page, lambda e: e["tag"] == "button" and e["text"] == t(language, "Reserve this time")
    )
    keyboard.press("Enter")

    expect(page).to_have_url(at(site, rf"/{language}/termin/[A-Z0-9]+/reserviert/"))
    code = code_from_url(page, "reserviert")
    audit("held")
    lead = Appointment.objects.get(code=code)
    group = list(Appointment.objects.filter(party=lead.party_id).order_by("pk"))
    assert [(a.given_names, a.date_of_birth.isoformat()) for a in group] == [
        ("Ayse", "1985-05-05"),
        ("Elif", "2014-03-03"),
    ]
    assert all(a.needs_wheelchair and a.interpreter_language == "Arabisch" for a in group)
    assert lead.needs_note == "Bitte Erdgeschoss" and lead.nationality == "SY"

    page.goto(verification_link("family@example.test"))
    tab_until(page, lambda e: e["tag"] == "button"
              and e["text"] == t(language, "Confirm appointment"))  # fmt: skip
    keyboard.press("Enter")
    expect(page).to_have_url(at(site, f"/{language}/termin/{code}/"))
    persons = page.locator(".party-persons")
    expect(persons).to_contain_text("Ayse Yilmaz")
    expect(persons).to_contain_text("Elif Yilmaz")
    audit("manage page of the party")
    assert set(Appointment.objects.values_list("status", flat=True)) == {Status.BOOKED}
    assert violations == {}, violations
