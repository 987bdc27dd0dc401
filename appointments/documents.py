"""Files for residents: the calendar entry (.ics) and the QR code of the booking code."""

import io
import struct
import zlib

import segno
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from . import dates


def ics_bytes(appointment):
    """An iCalendar file with one event for the appointment, in the resident's language."""
    with translation.override(appointment.language):
        calendar = Calendar()
        calendar.add("prodid", "-//Auslaenderbehoerde Wiesbaden//Terminvergabe//DE")
        calendar.add("version", "2.0")
        calendar.add("method", "PUBLISH")
        event = Event()
        event.add("uid", f"{appointment.code}@{settings.SITE_URL.split('://')[-1]}")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", appointment.slot.start)
        event.add("dtend", appointment.slot.end)
        event.add("summary", f"{settings.AUTHORITY_NAME}: {appointment.service.localized_name}")
        room = appointment.slot.team.localized_location
        separator = dates.list_separator()
        event.add("location", separator.join(filter(None, [settings.AUTHORITY_ADDRESS, room])))
        documents = "\n".join(f"- {item}" for item in appointment.service.localized_documents)
        lines = [appointment.code, dates.format_when(appointment.slot.start)]
        if room:
            lines.append(_("Where: %(room)s") % {"room": room})
        event.add("description", "\n".join([*lines, documents]).strip())
        calendar.add_component(event)
    return calendar.to_ical()


def ics_attachment(appointment):
    return (f"termin-{appointment.code}.ics", ics_bytes(appointment), "text/calendar")


def standard_qr(data):
    """A standard QR code (never a Micro QR, which segno.make picks for short content and most
    phone cameras and readers such as zbarimg cannot read), error correction M or better."""
    return segno.make_qr(data, error="m")


def qr_svg(code):
    """The booking code as an inline SVG QR code (reception scans it at check-in)."""
    buffer = io.BytesIO()
    standard_qr(code).save(
        buffer,
        kind="svg",
        scale=5,
        border=4,
        xmldecl=False,
        svgns=True,
        title=code,
        svgclass="qr-code",
    )
    return buffer.getvalue().decode()


def link_qr_svg(url, *, title):
    """A link as a standard QR code (error correction M) that every phone camera reads."""
    buffer = io.BytesIO()
    segno.make_qr(url, error="m").save(
        buffer,
        kind="svg",
        scale=4,
        border=4,
        xmldecl=False,
        svgns=True,
        title=title,
        svgclass="qr-code",
    )
    return buffer.getvalue().decode()


def qr_png(data, *, scale=6):
    """The QR code as a black-and-white PNG (mail attachment) with the standard quiet zone.

    Every reminder carries one, so it is cheap: mask pattern 0 is fixed (every mask is valid for
    every reader; searching the best of eight was two thirds of segno's time) and the 1-bit
    image is packed here (segno's PNG writer walks it pixel by pixel): five times faster."""
    matrix = segno.make_qr(data, error="m", mask=0).matrix  # rows of modules, dark = 1
    quiet = "1" * (4 * scale)  # the quiet zone of four modules (1 is white)
    width = len(matrix[0]) * scale + 2 * len(quiet)
    pad = "0" * (-width % 8)
    blank = [b"\0" + int("1" * width + pad, 2).to_bytes((width + len(pad)) // 8, "big")]
    rows = blank * len(quiet)
    for modules in matrix:
        bits = quiet + "".join(("0" if dark else "1") * scale for dark in modules) + quiet + pad
        rows += [b"\0" + int(bits, 2).to_bytes(len(bits) // 8, "big")] * scale  # filter: none
    rows += blank * len(quiet)
    size = len(rows)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0)),
            _png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9)),
            _png_chunk(b"IEND", b""),
        ]
    )


def _png_chunk(kind, payload):
    crc = zlib.crc32(kind + payload)
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def qr_png_data_uri(data, *, scale=4):
    """The QR code as a PNG data URI (WeasyPrint paints it faster than an SVG)."""
    return standard_qr(data).png_data_uri(scale=scale, border=4)


def qr_attachment(appointment):
    """The booking code's QR code as a PNG attachment of a mail (shown at check-in)."""
    return (f"qr-{appointment.code}.png", qr_png(appointment.code), "image/png")
