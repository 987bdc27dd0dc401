"""Invitations in chromium: the resident confirms, moves and declines on a phone; the short
link of a letter; axe-core on the resident and the supervisor pages."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from appointments.invitations import allocation, csv_import, sending
from appointments.invitations.links import page_url
from appointments.models import Appointment, Contingent, Invitation, InvitationState, Status
from tests.browser.helpers import PHONE, assert_accessible, t
from tests.browser.test_backoffice_flow import log_in
from tests.factories import csv_bytes, open_office, row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def site(settings, live_server, page):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = live_server.url
    settings.RATE_LIMITS = True
    cache.clear()
    page.set_viewport_size(PHONE)
    return live_server.url


def invite(count=1, **overrides):
    """An office, a batch of `count` invitees (expiry in 8 weeks), allocated and sent."""
    now = timezone.now()
    open_office(now=now)
    expiry = (timezone.localdate(now) + dt.timedelta(weeks=8)).strftime("%d.%m.%Y")
    report = csv_import.check(
        csv_bytes(
            [row(n, Ablaufdatum=expiry, Sprache="en", **overrides) for n in range(1, count + 1)]
        )
    )
    batch = csv_import.import_checked(report=report, source_name="demo.csv")
    allocation.allocate_batch(batch_id=batch.pk)
    sending.send_batch(batch_id=batch.pk)
    return batch


def mailed_link(invitation):
    """The answer link of the invitation e-mail (delivered by the outbox to locmem)."""
    for message in mail.outbox:
        if invitation.email in message.to:
            match = re.search(r"https?://\S+/einladung/\w+/\?t=[\w=-]+", message.body)
            if match:
                return match.group(0)
    raise AssertionError([m.subject for m in mail.outbox])


def test_the_resident_confirms_from_the_email(page):
    invite()
    invitation = Invitation.objects.select_related("appointment").get()
    page.goto(mailed_link(invitation))
    expect(page).to_have_url(re.compile(rf"/en/einladung/{invitation.appointment.code}/$"))
    expect(page.get_by_text(invitation.appointment.code)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=t("en", "I will come")).click()
    expect(page.get_by_role("alert").first).to_contain_text(
        t("en", "Thank you: your appointment is confirmed. See you then.")
    )
    assert_accessible(page)
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.CONFIRMED


def test_the_resident_moves_to_another_time_in_the_window(page):
    invite()
    invitation = Invitation.objects.select_related("appointment__slot").get()
    old_slot = invitation.appointment.slot_id
    page.goto(page_url(invitation))
    page.get_by_role("link", name=t("en", "Choose another time")).click()
    assert_accessible(page)
    page.locator(".day-list a").last.click()
    expect(page).to_have_url(re.compile(r"\?day=\d{4}-\d{2}-\d{2}"))
    assert_accessible(page)
    page.locator('button[name="slot"]').first.click()
    expect(page.get_by_role("alert").first).to_contain_text(
        t("en", "Your appointment has been moved.")
    )
    appointment = Appointment.objects.select_related("slot").get()
    assert appointment.slot_id != old_slot
    assert appointment.slot.contingent == Contingent.INTERNAL
    assert (
        invitation.window_first
        <= timezone.localdate(appointment.slot.start)
        <= (invitation.window_last)
    )
    assert Invitation.objects.get().state == InvitationState.RESCHEDULED


def test_the_resident_declines_with_a_reason(page):
    invite()
    invitation = Invitation.objects.select_related("appointment").get()
    page.goto(page_url(invitation, "decline"))
    assert_accessible(page)
    page.get_by_role("button", name=t("en", "Decline and cancel the appointment")).click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    assert_accessible(page)
    summary.get_by_role("link").click()
    expect(page.locator("#id_reason_0")).to_be_focused()
    page.get_by_label(t("en", "I have moved away from Wiesbaden")).check()
    page.get_by_role("button", name=t("en", "Decline and cancel the appointment")).click()
    expect(page.get_by_role("status")).to_contain_text(
        t("en", "You have declined this invitation. The appointment has been cancelled.")
    )
    assert_accessible(page)
    assert Appointment.objects.get().status == Status.CANCELLED
    assert Invitation.objects.get().decline_reason == "moved_away"


def test_the_short_link_of_a_letter_asks_for_the_date_of_birth(page):
    invite(**{"E-Mail": ""})
    invitation = Invitation.objects.select_related("appointment").get()
    page.goto(page_url(invitation, with_token=False))
    assert_accessible(page)
    page.get_by_label(t("en", "Date of birth")).fill("1988-05-15")
    page.get_by_role("button", name=t("en", "Show my invitation")).click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(t("en", "Date of birth")).fill("1988-05-14")
    page.get_by_role("button", name=t("en", "Show my invitation")).click()
    expect(page.get_by_role("button", name=t("en", "I will come"))).to_be_visible()


def test_the_supervisor_pages_are_accessible(live_server, browser, supervisor_user, tmp_path):
    batch = invite(3)
    Invitation.objects.filter(row_number=3).update(email="")
    page = log_in(
        browser.new_context(viewport={"width": 1280, "height": 900}),
        live_server.url,
        supervisor_user.username,
    )
    base = f"{live_server.url}/backoffice/invitations"
    for path in ("/", f"/{batch.pk}/", f"/{batch.pk}/?state=sent", "/windows/", "/upload/"):
        page.goto(base + path)
        assert_accessible(page)
    # the dry-run report of a file with a bad row
    upload = tmp_path / "export.csv"
    upload.write_bytes(csv_bytes([row(10), row(11, Anliegen="Visum")]))
    page.set_input_files('input[type="file"]', str(upload))
    page.locator('form[enctype] button[type="submit"]').click()
    expect(page.get_by_text("Visum")).to_be_visible()
    assert_accessible(page)
