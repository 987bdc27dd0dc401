"""Printable invitation letters: one PDF (WeasyPrint), one letter per page, each in the
resident's language, with the appointment, checklist, booking code, QR code and short link."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..documents import qr_png_data_uri
from ..models import InvitationDelivery, InvitationState
from .links import page_url, short_url

# One PDF holds at most this many letters (a web request must stay short).
PER_PDF = 100
# Letters that still stand for an appointment ahead (reprints give the same links).
PRINTABLE = (
    InvitationState.SENT,
    InvitationState.CONFIRMED,
    InvitationState.RESCHEDULED,
    InvitationState.NO_ANSWER,
)


def letter_invitations(batch, *, reminder=False):
    """The batch's letter invitations to print (reminders: those reminded, still unanswered)."""
    rows = batch.invitations.filter(delivery=InvitationDelivery.LETTER)
    if reminder:
        rows = rows.filter(state=InvitationState.SENT, reminded_at__isnull=False)
    else:
        rows = rows.filter(state__in=PRINTABLE)
    return rows.select_related(
        "service", "appointment", "appointment__slot", "appointment__slot__team"
    ).order_by("row_number")


def _qr_data_uri(text):
    """The link as a standard QR code (PNG: WeasyPrint paints it faster than an SVG)."""
    return qr_png_data_uri(text, scale=4)


# The official language: every letter has its German text first (DIN 5008 layout).
OFFICIAL_LANGUAGE = "de"


def address_lines(invitation):
    """The window's lines: name, then the postal address (one line per "|" or line break)."""
    name = f"{invitation.given_names} {invitation.surname}".strip()
    return [name, *(line for line in invitation.postal_address.splitlines() if line.strip())]


def _body(invitation, language, context):
    with translation.override(language):
        return render_to_string("appointments/invitation/_letter_body.html", context)


def render_letter(invitation, *, reminder=False):
    """The HTML of one letter: German first, then the invitee's language when it is not German.

    The address (DIN 5008 form B window) is written left-to-right in every language.
    """
    language = invitation.language
    context = {
        "invitation": invitation,
        "appointment": invitation.appointment,
        "reminder": reminder,
        "qr": _qr_data_uri(page_url(invitation)),
        "short_url": short_url(invitation),
        "AUTHORITY_NAME": settings.AUTHORITY_NAME,
        "AUTHORITY_ADDRESS": settings.AUTHORITY_ADDRESS,
    }
    translated = ""
    if language != OFFICIAL_LANGUAGE:
        translated = _body(invitation, language, {**context, "with_qr": True})
    with translation.override(OFFICIAL_LANGUAGE):
        return render_to_string(
            "appointments/invitation/letter.html",
            {
                **context,
                "address_lines": address_lines(invitation),
                "body_de": _body(
                    invitation, OFFICIAL_LANGUAGE, {**context, "with_qr": not translated}
                ),
                "body_translated": translated,
                "language": language,
                "direction": "rtl" if translation.get_language_info(language)["bidi"] else "ltr",
                "today": timezone.localdate(),
            },
        )


def letters_pdf(invitations, *, reminder=False):
    """One PDF with a page per letter (bytes)."""
    from weasyprint import HTML  # imported late: it loads pango and cairo

    letters = [render_letter(invitation, reminder=reminder) for invitation in invitations]
    document = render_to_string(
        "appointments/invitation/letters.html",
        {"letters": letters, "AUTHORITY_NAME": settings.AUTHORITY_NAME},
    )
    return HTML(string=document, base_url=str(settings.BASE_DIR)).write_pdf()
