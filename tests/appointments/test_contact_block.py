"""The service desk's contact block (CONTACT_*) on every resident page and in every resident
mail, text and HTML, with weekday names in the reader's language."""

import pytest
from django.core.checks import run_checks
from django.utils import translation

from appointments.contact import hours_lines, parse_hours
from appointments.notifications.messages import render_message
from tests.factories import appointment, bookable_slot

pytestmark = pytest.mark.django_db

KINDS = [
    "cancellation",
    "confirmation",
    "erasure",
    "feedback_answer",
    "invitation",
    "invitation_reminder",
    "manage_link",
    "no_show",
    "reminder",
    "reschedule",
    "verification",
]


@pytest.fixture(autouse=True)
def desk(settings):
    settings.CONTACT_PHONE = "+49 611 99-123"
    settings.CONTACT_EMAIL = "servicedesk@example.test"
    settings.CONTACT_HOURS = "1-5 08:00-12:00; 4 14:00-18:00"


@pytest.mark.parametrize(
    ("language", "line"),
    [("de", "Mo–Fr 08:00–12:00"), ("en", "Thu 14:00–18:00"), ("ar", "خميس 14:00–18:00")],
)
def test_every_resident_page_shows_the_contact_block(client, language, line):
    for path in ("", "datenschutz/", "termin-finden/", "warten/x/", "pruefen/x/"):
        text = client.get(f"/{language}/{path}").content.decode()
        assert "+49 611 99-123" in text and "tel:+4961199123" in text, path
        assert "mailto:servicedesk@example.test" in text, path
        assert line in text, path


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", ["de", "ar"])
def test_every_mail_carries_the_contact_block_in_text_and_html(kind, language):
    service, _team, slot = bookable_slot(days_ahead=3)
    made = appointment(service=service, slot=slot, n=1)
    made.language = language
    _subject, text, html = render_message(kind, made)
    with translation.override(language):
        line = hours_lines()[0]
    for part in (text, html):
        assert "+49 611 99-123" in part and "servicedesk@example.test" in part, kind
        assert line in part, kind


def test_the_hours_are_parsed_and_malformed_parts_warned_of(settings):
    assert parse_hours("1-5 08:00-12:00;  4  14:00-18:00 ; nonsense") == [
        (0, 4, "08:00", "12:00"),
        (3, 3, "14:00", "18:00"),
    ]
    assert not [m for m in run_checks() if m.id == "wiesbaden_abh.W017"]
    settings.CONTACT_HOURS = "Mo-Fr 8-12"
    assert [m.id for m in run_checks() if m.id == "wiesbaden_abh.W017"] == ["wiesbaden_abh.W017"]
