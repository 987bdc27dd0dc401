"""The resident's rights in chromium, from the manage link, in German, Arabic and English:
see my data, download it (JSON) and print it, delete it now; and axe on the statements."""

import json
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from appointments import booking
from appointments.feedback import submit_feedback
from appointments.models import Appointment, OutboxMessage, Status
from tests.browser.helpers import WCAG, at, open_office, t
from tests.browser.test_supervision_a11y import log_in
from tests.factories import person

STATEMENTS = ("datenschutz/", "barrierefreiheit/", "impressum/")


def _axe_clean(page):
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["de", "ar", "en"])
def test_the_three_rights_from_the_manage_link(live_server, page, language, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    office = open_office(days_ahead=(3,))
    appointment, token = booking.book(
        service=office.service,
        slot_id=office.slots[0].pk,
        person=person(7, language=language, email="rechte@example.test"),
        channel="staff",
    )
    base = live_server.url
    page.goto(f"{base}/{language}/termin/{appointment.code}/?t={token}")
    expect(page).to_have_url(at(base, rf"/{language}/termin/{appointment.code}/"))

    # Art. 15: see everything, in the resident's language
    page.get_by_role("link", name=t(language, "My data"), exact=True).click()
    expect(page).to_have_url(at(base, rf"/{language}/termin/{appointment.code}/meine-daten/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t(language, "My data"))
    expect(page.get_by_text("rechte@example.test")).to_be_visible()
    _axe_clean(page)

    # ... download it as JSON
    with page.expect_download() as download:
        page.get_by_role("link", name=t(language, "Download (JSON file)")).click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    fields = {f["key"]: f["value"] for f in data["sections"][0]["fields"]}
    assert fields["email"] == "rechte@example.test" and fields["code"] == appointment.code

    # ... and as a printable page
    page.get_by_role("link", name=t(language, "Printable page")).click()
    expect(page.get_by_text("rechte@example.test")).to_be_visible()
    page.go_back()

    # Art. 17: delete now (confirmation first)
    page.get_by_role("link", name=t(language, "Delete my data now"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(language, "Delete my data now?"))
    _axe_clean(page)
    page.get_by_role("button", name=t(language, "Yes, delete my data")).click()
    expect(page).to_have_url(at(base, rf"/{language}/termin/{appointment.code}/geloescht/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t(language, "Your data has been deleted")
    )
    _axe_clean(page)
    erased = Appointment.objects.get(pk=appointment.pk)
    assert erased.status == Status.CANCELLED and erased.email == "" and erased.surname == ""
    assert OutboxMessage.objects.filter(appointment=erased, kind="erasure").exists()

    # the link no longer opens anything
    page.goto(f"{base}/{language}/termin/{appointment.code}/?t={token}")
    assert page.locator("html").get_attribute("lang") == language
    assert "rechte@example.test" not in page.content()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["de", "en", "tr", "ar", "ru", "uk"])
def test_the_statements_have_no_wcag_violations(live_server, page, language):
    for path in STATEMENTS:
        page.goto(f"{live_server.url}/{language}/{path}")
        _axe_clean(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_plain_german_and_the_feedback_errors_have_no_wcag_violations(live_server, page):
    page.goto(f"{live_server.url}/de/leichte-sprache/")
    _axe_clean(page)
    page.goto(f"{live_server.url}/ar/barrierefreiheit/")
    page.get_by_role("button", name=t("ar", "Send feedback")).click()
    expect(page.locator("#error-summary")).to_be_visible()
    _axe_clean(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_supervisors_answer_a_request_and_feedback_on_accessible_screens(
    live_server, page, supervisor_user, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    office = open_office(days_ahead=(3,))
    appointment, _token = booking.book(
        service=office.service,
        slot_id=office.slots[0].pk,
        person=person(8, surname="Yılmaz"),
        channel="staff",
    )
    submit_feedback(message="Der Kontrast ist zu schwach.", language="tr", email="f@example.test")
    base = live_server.url
    page.set_extra_http_headers({"Accept-Language": "de"})  # the backoffice speaks German
    log_in(page, base)
    expect(page).to_have_url(f"{base}/backoffice/")
    page.goto(f"{base}/backoffice/manage/privacy/")
    page.get_by_role("button", name="Suchen").click()  # empty: errors shown
    _axe_clean(page)
    page.get_by_label("Nachname").fill("YILMAZ")
    page.get_by_label("Geburtsdatum").fill("1990-01-01")
    page.get_by_role("button", name="Suchen").click()
    expect(page.get_by_role("cell", name=appointment.code, exact=True)).to_be_visible()
    _axe_clean(page)
    page.get_by_role("link", name=f"Löschen {appointment.code}").click()
    _axe_clean(page)
    page.get_by_label(re.compile("schriftlich beantragt")).check()
    page.get_by_role("button", name="Personenbezogene Daten löschen").click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_be_visible()
    assert Appointment.objects.get(pk=appointment.pk).surname == ""
    page.goto(f"{base}/backoffice/manage/feedback/")
    _axe_clean(page)
    page.get_by_role("link", name=re.compile(r"\d")).first.click()
    page.get_by_label("Antwort").fill("Danke, wir verbessern den Kontrast.")
    page.get_by_role("button", name="Antwort senden").click()
    expect(page).to_have_url(f"{base}/backoffice/manage/feedback/")
    assert OutboxMessage.objects.filter(kind="feedback_answer").exists()
