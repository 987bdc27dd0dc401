"""The statements: privacy notice (periods from the retention settings), accessibility
statement with its feedback form, plain German, imprint; linked from pages and mails."""

import datetime as dt
import re

import pytest
from django.conf import settings as django_settings
from django.test import Client

from appointments import booking, retention
from appointments.models import AccessibilityFeedback, Event, OutboxMessage
from tests.factories import bookable_slot, person
from tests.mails import written

pytestmark = pytest.mark.django_db
LANGUAGES = [code for code, _name in django_settings.LANGUAGES]


def test_all_six_languages_are_offered():
    assert set(LANGUAGES) == {"de", "en", "tr", "ar", "ru", "uk"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_privacy_notice_shows_the_periods_the_retention_applies(client, settings, language):
    settings.RETENTION_APPOINTMENT_DAYS = 123
    settings.RETENTION_MESSAGE_DAYS = 45
    settings.RETENTION_INVITATION_DAYS = 67
    settings.RETENTION_STAFF_AUDIT_DAYS = 891
    content = client.get(f"/{language}/datenschutz/").content.decode()
    for days in (123, 45, 67, 891):
        assert f'<td class="text-end" data-days>{days}</td>' in content
    assert f'lang="{language}"' in content


def test_every_period_that_apply_retention_applies_is_on_the_notice_with_its_value(
    client, settings
):
    """The periods shown are the periods applied: each category's days setting, given a value
    of its own, appears in its row (expired holds, login attempts and feedback too)."""
    names = sorted({c.days_setting for c in retention.CATEGORIES if c.days_setting})
    assert {"RETENTION_EXPIRED_HOLD_DAYS", "RETENTION_FEEDBACK_DAYS"} <= set(names)
    for offset, name in enumerate(names):
        setattr(settings, name, 500 + offset)
    content = client.get("/en/datenschutz/").content.decode()
    for offset, name in enumerate(names):
        assert re.search(
            rf'<tr data-setting="{name}">.*?<td class="text-end" data-days>{500 + offset}</td>',
            content,
        ), name


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_statement_renders_in_every_language_and_is_linked_from_the_footer(client, language):
    home = client.get(f"/{language}/").content.decode()
    for path in ("datenschutz/", "barrierefreiheit/", "impressum/", "leichte-sprache/"):
        response = client.get(f"/{language}/{path}")
        assert response.status_code == 200, path
        if path != "leichte-sprache/":
            assert f'href="/{language}/{path}"' in home


def test_the_statements_are_translated():
    pages = {
        "de": ("Erklärung zur Barrierefreiheit", "Impressum", "Datenschutzhinweise"),
        "tr": ("Erişilebilirlik beyanı", "Künye", "Gizlilik bildirimi"),
    }
    for language, words in pages.items():
        text = "".join(
            Client().get(f"/{language}/{path}/").content.decode()
            for path in ("barrierefreiheit", "impressum", "datenschutz")
        )
        for word in words:
            assert word in text, (language, word)


def test_the_accessibility_statement_shows_the_last_check_and_the_enforcement_body(
    client, settings
):
    settings.ACCESSIBILITY_LAST_CHECKED = dt.date(2026, 10, 31)
    settings.ACCESSIBILITY_ENFORCEMENT_EMAIL = "ombud@example.test"
    content = client.get("/en/barrierefreiheit/").content.decode()
    assert "31 Oct 2026" in content  # one date style per language (appointments/dates.py)
    assert "Durchsetzungs- und Ombudsstelle" in content and "ombud@example.test" in content


def test_the_imprint_comes_from_the_settings(client, settings):
    settings.IMPRINT_PUBLISHER = "Landeshauptstadt Testhausen"
    settings.IMPRINT_EMAIL = "impressum@example.test"
    settings.IMPRINT_VAT_ID = ""
    content = client.get("/de/impressum/").content.decode()
    assert "Landeshauptstadt Testhausen" in content and "impressum@example.test" in content
    assert "Umsatzsteuer" not in content


def test_the_german_start_page_links_the_plain_language_explanation(client):
    assert "/de/leichte-sprache/" in client.get("/de/").content.decode()
    assert "So buchen Sie einen Termin" in client.get("/de/leichte-sprache/").content.decode()


@pytest.mark.parametrize(
    ("language", "error"),
    [("de", "Bitte beschreiben Sie"), ("tr", "Lütfen"), ("ar", "يرجى")],
)
def test_bad_feedback_gives_a_translated_error_and_stores_nothing(client, language, error):
    response = client.post(
        f"/{language}/barrierefreiheit/", {"message": "", "email": "not-an-address"}
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not AccessibilityFeedback.objects.exists()


def test_feedback_is_stored_with_its_language_and_an_event_without_personal_data(client):
    response = client.post(
        "/ar/barrierefreiheit/",
        {"message": "Der Kalender liest sich schlecht vor.", "email": "leser@example.test"},
    )
    assert response.status_code == 302
    feedback = AccessibilityFeedback.objects.get()
    assert (feedback.language, feedback.email) == ("ar", "leser@example.test")
    event = Event.objects.get(action="feedback.received")
    assert event.data == {"feedback": feedback.pk}


def test_every_mail_links_the_statements_in_the_residents_language(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    service, _team, slot = bookable_slot()
    booking.book(
        service=service, slot_id=slot.pk, person=person(1, language="tr"), channel="online"
    )
    message = written(OutboxMessage.objects.get(kind="verification"))
    for body in (message.text_body, message.html_body):
        for path in ("/tr/datenschutz/", "/tr/barrierefreiheit/", "/tr/impressum/"):
            assert path in body
