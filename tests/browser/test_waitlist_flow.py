"""The resident's waitlist in chromium, in German and Arabic (RTL), by keyboard: register a wish,
confirm it from the mail, accept an offer the allocator made (→ the booked appointment's page),
decline one, withdraw the wish; axe-core finds no WCAG 2.1 AA violation on any page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from appointments.models import Appointment, Offer, OfferState, Status, Wish, WishState
from appointments.waitlist import allocation, wishes
from tests.browser.helpers import assert_accessible, t, tab_until
from tests.factories import bookable_slot, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONFIRM_LINK = re.compile(r"https?://[^\s\"'<>]+/warteliste/bestaetigen/\?t=[\w-]+")
OFFER_LINK = re.compile(r"https?://[^\s\"'<>]+/warteliste/angebot/\d+/\?s=[\w:.%-]+")


@pytest.fixture(autouse=True)
def site(resident_site):
    return resident_site


def link_in_mail(to, pattern):
    for message in reversed(mail.outbox):
        if to in message.to and (found := pattern.search(message.body)):
            return found.group(0)
    raise AssertionError(f"no such link in a mail to {to}: {[m.subject for m in mail.outbox]}")


def press(page, language, name):
    """Reach the button `name` with Tab and press it with Enter (no mouse)."""
    text = t(language, name)
    tab_until(page, lambda e: e["tag"] == "button" and e["text"] == text, limit=80)
    page.keyboard.press("Enter")


def assert_direction(page, language):
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")


def offer_page(page, email):
    """Open the offer link of the last offer mail (the link moves its secret into the session)."""
    page.goto(link_in_mail(email, OFFER_LINK))
    expect(page).to_have_url(re.compile(r"/warteliste/angebot/\d+/$"))


@pytest.mark.parametrize("language", ["de", "ar"])
def test_register_confirm_and_accept_an_offer_by_keyboard(page, site, language):
    service, _team, slot = bookable_slot(capacity=1, days_ahead=5)
    email = f"wunsch-{language}@example.test"
    page.goto(f"{site}/{language}/warteliste/anmelden/{service.slug}/")
    assert_direction(page, language)
    assert_accessible(page)

    # The form by keyboard: an empty submit first shows the errors (accessible too).
    press(page, language, "Join the waitlist")
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    assert_accessible(page)
    page.locator("#id_surname").focus()
    page.keyboard.type("Haddad")
    page.keyboard.press("Tab")
    expect(page.locator("#id_given_names")).to_be_focused()
    page.keyboard.type("Amal")
    page.fill("#id_date_of_birth", "1988-06-02")
    page.select_option("#id_nationality", "SY")
    page.fill("#id_email", email)
    page.fill("#id_email_repeat", email)
    page.select_option("#id_language", language)
    page.locator("#id_urgency_reason").select_option("job_start")
    page.locator("#id_consent").focus()
    page.keyboard.press("Space")
    expect(page.locator("#id_consent")).to_be_checked()
    press(page, language, "Join the waitlist")
    expect(page).to_have_url(re.compile(rf"/{language}/warteliste/angemeldet/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t(language, "Please confirm your wish")
    )
    assert_accessible(page)
    assert Wish.objects.get().state == WishState.PENDING

    # Double opt-in: the link of the mail, then one button.
    page.goto(link_in_mail(email, CONFIRM_LINK))
    expect(page).to_have_url(re.compile(r"/warteliste/bestaetigen/$"))  # the secret left the URL
    assert_accessible(page)
    press(page, language, "Confirm my wish")
    expect(page).to_have_url(re.compile(rf"/{language}/warteliste/mein-wunsch/$"))
    expect(page.get_by_text(t(language, "among the next %(band)s", band=5))).to_be_visible()
    assert_accessible(page)
    assert Wish.objects.get().state == WishState.ACTIVE

    # A place frees: the allocator holds it and mails the offer.
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)
    page.reload()
    expect(page.get_by_role("status")).to_be_visible()  # the wish page shows the held place
    assert_accessible(page)
    offer_page(page, email)
    assert_direction(page, language)
    assert_accessible(page)
    press(page, language, "Accept this appointment")
    expect(page).to_have_url(re.compile(r"/termin/[A-Z0-9]+/"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    booked = Appointment.objects.get(pk=offer.appointment_id)
    assert booked.status == Status.BOOKED and booked.code in page.url
    assert Offer.objects.get(pk=offer.pk).state == OfferState.ACCEPTED
    assert Wish.objects.get().state == WishState.BOOKED


@pytest.mark.parametrize("language", ["de", "ar"])
def test_decline_an_offer_and_withdraw_the_wish_by_keyboard(page, site, language):
    service, _team, slot = bookable_slot(capacity=1, days_ahead=5)
    email = f"absage-{language}@example.test"
    _wish, token = wishes.register_wish(
        service=service, person=person(1, email=email, language=language)
    )
    wishes.confirm_wish(token=token)
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)

    offer_page(page, email)
    assert_accessible(page)
    press(page, language, "Decline – keep waiting")
    expect(page.get_by_role("alert").or_(page.locator(".alert-success"))).to_contain_text(
        t(language, "You have declined this time. Your wish stays on the waitlist.")
    )
    assert_accessible(page)
    assert Offer.objects.get(pk=offer.pk).state == OfferState.DECLINED
    assert Appointment.objects.get(pk=offer.appointment_id).status == Status.CANCELLED

    # The wish's own page (the secret link), then withdraw by keyboard.
    page.goto(f"{site}/{language}/warteliste/mein-wunsch/?t={token}")
    expect(page).to_have_url(re.compile(rf"/{language}/warteliste/mein-wunsch/$"))
    assert_direction(page, language)
    assert_accessible(page)
    press(page, language, "Withdraw my wish")
    expect(page.get_by_role("alert").or_(page.locator(".alert-success"))).to_contain_text(
        t(language, "Your wish has been withdrawn.")
    )
    assert_accessible(page)
    assert Wish.objects.get().state == WishState.WITHDRAWN
