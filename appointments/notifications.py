"""Messages to residents, rendered in the resident's language and sent after the commit.

Every message goes through `send()`; the outbox (background delivery with retries) replaces
its inside without changing the callers.
"""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

logger = logging.getLogger(__name__)


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def manage_url(appointment, token):
    with translation.override(appointment.language):
        path = reverse("appointments:manage", kwargs={"code": appointment.code})
    return absolute(f"{path}?{urlencode({'t': token})}")


def verify_url(appointment, token):
    with translation.override(appointment.language):
        path = reverse("appointments:verify", kwargs={"code": appointment.code})
    return absolute(f"{path}?{urlencode({'t': token})}")


def rebook_url(appointment):
    with translation.override(appointment.language):
        return absolute(reverse("appointments:home"))


def render_message(kind, appointment, **context):
    """Subject, text and HTML of one message kind, in the resident's language."""
    context = {
        "appointment": appointment,
        "AUTHORITY_ADDRESS": settings.AUTHORITY_ADDRESS,
        "AUTHORITY_NAME": settings.AUTHORITY_NAME,
        "language": appointment.language,
        "direction": "rtl"
        if translation.get_language_info(appointment.language)["bidi"]
        else "ltr",
        **context,
    }
    with translation.override(appointment.language):
        subject = render_to_string(f"appointments/email/{kind}_subject.txt", context)
        text = render_to_string(f"appointments/email/{kind}.txt", context)
        html = render_to_string(f"appointments/email/{kind}.html", context)
    return " ".join(subject.split()), text, html


def send(kind, appointment, *, attachments=(), **context):
    """Render now (inside the transaction), deliver once the transaction has committed."""
    if not appointment.email:
        return
    subject, text, html = render_message(kind, appointment, **context)

    def deliver():
        message = EmailMultiAlternatives(subject, text, to=[appointment.email])
        message.attach_alternative(html, "text/html")
        for filename, content, mimetype in attachments:
            message.attach(filename, content, mimetype)
        message.send()
        logger.info("sent %s for appointment %s", kind, appointment.code)

    transaction.on_commit(deliver)


def appointment_created(appointment, *, token):
    """An online hold asks for verification; other channels are confirmed at once."""
    if appointment.status == "held":
        send(
            "verification",
            appointment,
            verify_url=verify_url(appointment, token),
            hold_minutes=settings.APPOINTMENT_HOLD_MINUTES,
        )
    else:
        appointment_booked(appointment, token=token)


def appointment_booked(appointment, *, token):
    from .documents import ics_attachment

    send(
        "confirmation",
        appointment,
        manage_url=manage_url(appointment, token),
        attachments=[ics_attachment(appointment)],
    )


def appointment_cancelled(appointment):
    send("cancellation", appointment, rebook_url=rebook_url(appointment))


def appointment_rescheduled(appointment, *, token=None):
    from .documents import ics_attachment

    send(
        "reschedule",
        appointment,
        manage_url=manage_url(appointment, token) if token else None,
        attachments=[ics_attachment(appointment)],
    )
