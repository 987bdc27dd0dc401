"""Steps shared by the resident browser tests: an open office, the wizard, mail links, focus."""

import re
from dataclasses import dataclass

from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from tests.factories import ServiceFactory, TeamFactory, bookable_slot

PHONE = {"width": 390, "height": 844}
WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def assert_accessible(page):
    """axe-core finds no WCAG 2.1 AA violation on the page as it is now."""
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


VERIFY_LINK = re.compile(r"https?://[^\s\"'<>]+/bestaetigen/\?t=[\w-]+")


def t(language, message, **params):
    """`message` as the server renders it in `language` (the compiled catalogs of this run)."""
    with translation.override(language):
        text = gettext(message)
    return text % params if params else text


def label(language, lazy):
    """A lazy choice label (e.g. `Status.BOOKED.label`) in `language`."""
    with translation.override(language):
        return str(lazy)


@dataclass
class Office:
    service: object
    team: object
    slots: list


def open_office(*, days_ahead=(3, 5), capacity=3):
    """A service routed to one team for all surnames, one online slot at 10:00 on each day."""
    service, team = ServiceFactory(), TeamFactory()
    slots = [
        bookable_slot(service=service, team=team, days_ahead=days, capacity=capacity)[2]
        for days in days_ahead
    ]
    return Office(service, team, slots)


def at(base, path):
    """A URL pattern for `path` (a regex) on the live server; a kept fragment is allowed, since
    browsers carry `#times` of the calendar through the POST-redirect."""
    return re.compile(re.escape(base) + path + r"(#[\w-]*)?$")


def day_of(slot):
    return timezone.localdate(slot.start)


def choose_day(page, slot):
    page.locator(f'a[href="?day={day_of(slot).isoformat()}#times"]').click()
    expect(page).to_have_url(re.compile(rf"\?day={day_of(slot).isoformat()}"))


def choose_time(page, slot):
    page.locator(f'button[name="slot"][value="{slot.pk}"]').click()


def walk_to_calendar(page, base, language, service, *, surname="Muster", nationality="TR"):
    page.goto(f"{base}/{language}/buchen/{service.slug}/")
    page.fill("#id_surname", surname)
    page.select_option("#id_nationality", nationality)
    page.get_by_role("button", name=t(language, "Show free times"), exact=True).click()
    expect(page).to_have_url(at(base, rf"/{language}/buchen/{service.slug}/zeit/"))


def walk_to_details(page, base, language, service, slot, **who):
    walk_to_calendar(page, base, language, service, **who)
    choose_day(page, slot)
    choose_time(page, slot)
    expect(page).to_have_url(at(base, rf"/{language}/buchen/{service.slug}/daten/"))


def fill_details(page, *, email="erika@example.test", consent=True):
    page.fill("#id_given_names", "Erika")
    page.fill("#id_date_of_birth", "1990-04-23")
    page.fill("#id_email", email)
    page.fill("#id_email_repeat", email)
    if consent:
        page.check("#id_consent")


def reserve(page, language):
    page.get_by_role("button", name=t(language, "Reserve this time"), exact=True).click()


def code_from_url(page, suffix):
    match = re.search(rf"/termin/([A-Z0-9]+)/{suffix}", page.url)
    assert match, page.url
    return match.group(1)


def verification_link(to):
    """The verification link of the last verification mail sent to `to`."""
    for message in reversed(mail.outbox):
        if to in message.to and (match := VERIFY_LINK.search(message.body)):
            return match.group(0)
    raise AssertionError(f"no verification mail to {to}: {[m.subject for m in mail.outbox]}")


def focused(page):
    """What has the keyboard focus: tag, id, name, type, value, href and visible text."""
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name'),
                    type: e.getAttribute('type'), value: e.value ?? null,
                    href: e.getAttribute('href'), text: (e.textContent || '').trim()};
        }"""
    )


def tab_until(page, wanted, *, limit=40):
    """Press Tab until `wanted(focused element)` holds; fail when it is not reachable."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if wanted(element):
            return element
        seen.append(element)
    summary = [(e["tag"], e["id"] or e["name"] or e["text"][:30]) for e in seen]
    raise AssertionError(f"not reachable by Tab; focus went through {summary}")
