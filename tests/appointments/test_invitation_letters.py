"""Invitation letters after DIN 5008: German first, then the resident's language; the address in
the window of form B in every language (Arabic too); formal salutation by surname, in mails too."""

import io

import pytest
from django.utils import translation

from appointments.invitations import allocation, csv_import, letters, sending
from appointments.models import Invitation, OutboxMessage, Salutation
from tests.factories import HEADER, NOW, csv_bytes, imported_batch, row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
MM = 72 / 25.4  # PDF points per millimetre
A4_HEIGHT = 297 * MM


def sent_letters(count=1, **overrides):
    batch = imported_batch(count, **{"E-Mail": "", **overrides})
    allocation.allocate_batch(batch_id=batch.pk)
    sending.send_batch(batch_id=batch.pk)
    return list(letters.letter_invitations(batch))


def pages(pdf):
    """[[(text, x0 mm, top mm), …] per page]: the PDF's text runs and where they start."""
    pypdf = pytest.importorskip("pypdf")
    found = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        runs = []

        def visit(text, cm, tm, _font, _size, runs=runs):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                runs.append((text.strip(), x / MM, (A4_HEIGHT - y) / MM))

        page.extract_text(visitor_text=visit)
        found.append(runs)
    return found


def test_the_arabic_letter_has_german_first_and_the_address_in_the_window_left_to_right(office):
    rows = sent_letters(1, Sprache="ar", Anrede="Frau")
    found = pages(letters.letters_pdf(rows))
    assert len(found) == 2  # the German letter, then its Arabic text
    german, arabic = ("\n".join(text for text, _x, _y in page) for page in found)
    assert "Sehr geehrte Frau Aydin," in german
    assert "المحترمة" in arabic and "Sehr geehrte" not in arabic
    town = [(x, top) for text, x, top in found[0] if "Wiesbaden" in text and "65183" in text]
    # the postcode and town read "65183 Wiesbaden" (Western digits, not reversed)
    assert any(text == "65183 Wiesbaden" for text, _x, _y in found[0]), found[0]
    x, top = next((x, top) for text, x, top in found[0] if text == "65183 Wiesbaden")
    assert town
    # DIN 5008 form B window: 20 mm from the left, 45 mm to 90 mm from the top
    assert 19 <= x <= 26, x
    assert 45 <= top <= 90, top
    name = next((x, top) for text, x, top in found[0] if text == "Elif Aydin")
    assert 19 <= name[0] <= 26 and 45 <= name[1] < top


def test_a_german_letter_is_german_only_with_its_address_in_the_window(office):
    rows = sent_letters(1, Anrede="Herr")
    found = pages(letters.letters_pdf(rows))
    assert len(found) == 1
    text = "\n".join(text for text, _x, _y in found[0])
    assert "Sehr geehrter Herr Aydin," in text
    x, top = next((x, top) for text, x, top in found[0] if text == "Musterstraße 1")
    assert 19 <= x <= 26 and 45 <= top <= 90


def test_the_html_puts_the_window_at_the_din_position_and_german_before_the_translation(office):
    rows = sent_letters(1, Sprache="tr")
    html = letters.render_letter(rows[0])
    assert html.index('lang="de"') < html.index('lang="tr"')
    assert '<div class="window" dir="ltr"' in html
    assert html.index("Guten Tag Elif Aydin,") < html.index("Merhaba Elif Aydin,")
    with translation.override("de"):
        document = letters.render_to_string(
            "appointments/invitation/letters.html", {"letters": [html]}
        )
    # page margins 20 mm / 25 mm: the window is moved to 45 mm from the top, 20 mm from the left
    assert "margin: 20mm 20mm 18mm 25mm" in document
    assert "top: 25mm; left: -5mm; width: 85mm; height: 45mm" in document


@pytest.mark.parametrize(
    ("anrede", "language", "expected"),
    [
        ("Frau", "de", "Sehr geehrte Frau Aydin,"),
        ("Herr", "de", "Sehr geehrter Herr Aydin,"),
        ("", "de", "Guten Tag Elif Aydin,"),
        ("Herr", "en", "Dear Mr Aydin,"),
        ("Frau", "tr", "Sayın Aydin Hanım,"),
        ("Herr", "ru", "Уважаемый господин Aydin,"),
        ("Frau", "uk", "Шановна пані Aydin,"),
    ],
)
def test_the_invitation_mail_addresses_the_resident_formally_by_surname(
    office, anrede, language, expected
):
    batch = imported_batch(1, Anrede=anrede, Sprache=language)
    allocation.allocate_batch(batch_id=batch.pk)
    sending.send_batch(batch_id=batch.pk)
    message = OutboxMessage.objects.get()
    assert message.text_body.startswith(expected), message.text_body[:80]
    assert expected in message.html_body


def test_the_column_anrede_is_read_and_an_unknown_value_is_a_warning(office):
    rows = [row(1, Anrede="Frau"), row(2, Anrede="Hr."), row(3, Anrede="Dr.")]
    with translation.override("en"):
        report = csv_import.check(csv_bytes(rows, header=HEADER))
    assert [r.values["salutation"] for r in report.rows] == [
        Salutation.MS,
        Salutation.MR,
        Salutation.NONE,
    ]
    assert report.rows[2].valid and "Unknown salutation" in str(report.rows[2].warnings[0])
    batch = csv_import.import_checked(report=report, source_name="x.csv", now=NOW)
    assert Invitation.objects.get(batch=batch, row_number=3).salutation == "herr"  # file line 3
