"""Every QR code is a standard QR (never a Micro QR) that a standard reader decodes: the
manage page, the printable confirmation, the mail, the invitation letters, the waiting ticket."""

import base64
import re
import shutil
import subprocess

import pytest
import segno
import time_machine

from appointments import booking
from appointments.documents import qr_png, qr_svg, standard_qr
from appointments.invitations import letters
from appointments.invitations.links import page_url
from appointments.models import OutboxMessage
from caseworkers.roles import RECEPTION
from tests.appointments.test_invitation_letters import sent_letters
from tests.appointments.test_queue import at_hour, booked_today
from tests.factories import NOW, bookable_slot, person
from tests.mails import written

pytestmark = pytest.mark.django_db

needs_zbar = pytest.mark.skipif(
    not shutil.which("zbarimg"), reason="zbarimg (Debian zbar-tools) is not installed"
)
needs_rsvg = pytest.mark.skipif(
    not shutil.which("rsvg-convert"), reason="rsvg-convert (Debian librsvg2-bin) is not installed"
)


def decode_png(png, tmp_path):
    """What zbarimg (a standard reader, like a phone camera's) reads in the PNG, or ""."""
    path = tmp_path / "qr.png"
    path.write_bytes(png)
    result = subprocess.run(
        ["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True, check=False
    )
    return result.stdout.strip()


def decode_svg(page, tmp_path):
    """Read the first inline <svg> of a page: rendered to PNG with rsvg-convert, then zbarimg."""
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    if "xmlns=" not in svg:
        svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    source, target = tmp_path / "qr.svg", tmp_path / "page-qr.png"
    source.write_text(svg)
    subprocess.run(
        ["rsvg-convert", "-w", "600", "-b", "white", "-o", str(target), str(source)], check=True
    )
    return decode_png(target.read_bytes(), tmp_path)


@pytest.mark.parametrize("content", ["K7Q2M4XP", "A-001", "otpauth://totp/x?secret=ABC"])
def test_the_qr_code_is_a_standard_qr_with_error_correction_m_or_better(content):
    code = standard_qr(content)
    assert not code.is_micro and code.designator.split("-")[1] in {"M", "Q", "H"}
    assert segno.make(content).is_micro or len(content) > 20  # what segno.make would pick


@needs_zbar
def test_a_standard_reader_decodes_the_booking_codes_png(tmp_path):
    assert decode_png(qr_png("K7Q2M4XP"), tmp_path) == "K7Q2M4XP"


@needs_zbar
@needs_rsvg
def test_the_manage_page_and_the_printable_confirmation_carry_a_readable_qr(client, tmp_path):
    service, _team, slot = bookable_slot()
    appointment, token = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="online"
    )
    booking.verify(code=appointment.code, token=token)
    client.get(f"/de/termin/{appointment.code}/", {"t": token})
    page = client.get(f"/de/termin/{appointment.code}/").content.decode()
    assert decode_svg(page, tmp_path) == appointment.code
    printable = client.get(f"/de/termin/{appointment.code}/drucken/").content.decode()
    assert decode_svg(printable, tmp_path) == appointment.code
    assert decode_svg(qr_svg("K7Q2"), tmp_path) == "K7Q2"


@needs_zbar
def test_the_confirmation_mail_carries_the_qr_code_as_a_readable_png(tmp_path):
    service, _team, slot = bookable_slot()
    appointment, _token = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="staff"
    )
    message = written(OutboxMessage.objects.get(kind="confirmation"))
    (qr,) = [item for item in message.attachments if item["mimetype"] == "image/png"]
    assert qr["filename"] == f"qr-{appointment.code}.png"
    assert decode_png(base64.b64decode(qr["content"]), tmp_path) == appointment.code


@needs_zbar
def test_the_invitation_letter_carries_a_readable_qr_of_its_link(office, tmp_path):
    with time_machine.travel(NOW, tick=False):
        (invitation,) = sent_letters(1)
        html = letters.render_letter(invitation)
        expected = page_url(invitation)
    uri = re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1)
    assert decode_png(base64.b64decode(uri), tmp_path) == expected


@needs_zbar
@needs_rsvg
def test_the_waiting_ticket_carries_a_readable_qr(client, login_as, tmp_path):
    appointment = booked_today(1)
    with time_machine.travel(at_hour(9, 55), tick=False):
        login_as(RECEPTION)
        client.post(f"/backoffice/reception/{appointment.pk}/check-in/")
        ticket = client.get(f"/backoffice/reception/{appointment.pk}/ticket/").content.decode()
    appointment.refresh_from_db()
    assert decode_svg(ticket, tmp_path) == appointment.waiting_number
