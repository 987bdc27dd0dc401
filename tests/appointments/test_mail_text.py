"""Plain-text mails show names as written: no HTML entities; the HTML part stays escaped."""

import pytest

from appointments import booking
from appointments.models import OutboxMessage
from appointments.notifications import render_message
from tests.factories import bookable_slot, person
from tests.mails import written

KINDS = ["verification", "confirmation", "cancellation", "reschedule", "reminder", "no_show"]
URLS = {
    "verify_url": "https://x/v?a=1&b=2",
    "manage_url": "https://x/m?a=1&b=2",
    "rebook_url": "https://x/r",
    "confirm_url": "https://x/c",
    "cancel_url": "https://x/n",
    "hold_minutes": 30,
}


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["O'Brien", "D'Souza", "N'Diaye", "D'Arcy"])
@pytest.mark.parametrize("kind", KINDS)
def test_text_mail_shows_apostrophes_as_typed_and_html_part_stays_escaped(kind, given):
    service, _team, slot = bookable_slot()
    appointment, _ = booking.book(
        service=service, slot_id=slot.pk, person=person(1, given_names=given), channel="staff"
    )
    _subject, text, html = render_message(kind, appointment, **URLS)
    assert given in text
    assert "&#x27;" not in text and "&amp;" not in text and "&lt;" not in text
    if kind in {"confirmation", "reschedule"}:
        assert "https://x/m?a=1&b=2" in text
    if given.split("'")[1] in html:
        assert given not in html and given.replace("'", "&#x27;") in html


@pytest.mark.django_db
def test_staff_entered_text_with_markup_characters_is_plain_in_text_and_escaped_in_html():
    service, team, slot = bookable_slot()
    team.location = "Haus <B> & Raum 3"
    team.save(update_fields=["location"])
    service.name = 'Aufenthalt "EU" <Familie>'
    service.save()
    appointment, _ = booking.book(
        service=service, slot_id=slot.pk, person=person(1, given_names="O'Brien"), channel="staff"
    )
    subject, text, html = render_message("confirmation", appointment, **URLS)
    assert "Haus <B> & Raum 3" in text
    assert "&lt;" not in text and "&amp;" not in text and "&quot;" not in text
    assert "Haus &lt;B&gt; &amp; Raum 3" in html and "<B>" not in html
    assert "&#x27;" not in subject and "&lt;" not in subject


@pytest.mark.django_db
def test_the_outbox_row_of_an_online_booking_has_a_plain_text_body():
    service, _team, slot = bookable_slot()
    booking.book(
        service=service,
        slot_id=slot.pk,
        person=person(1, given_names="N'Diaye"),
        channel="online",
    )
    message = written(OutboxMessage.objects.get(kind="verification"))
    assert "N'Diaye" in message.text_body
    assert "N&#x27;Diaye" in message.html_body
