"""What each message says and when it is written to the outbox.

Every message is stored once per (appointment, kind, occasion) in the transaction of the change
that causes it, rendered in the resident's language: then and there, or — the mails of a new
booking (LATER), on the path of every online booking — by the worker that sends it, from the
appointment and the few values stored with it (`write`).
"""

import base64
import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.template import Context, engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from ..contact import contact
from ..documents import ics_attachment, qr_attachment
from ..models import Appointment, OutboxMessage, OutboxStatus
from ..sql import insert_all
from . import outbox  # (outbox imports this module too: attributes are used at call time)

REPLY_SALT = "appointments.reminder-reply"
# Kinds a new booking stores unwritten, for the worker to write when it sends them (`write`):
# the booking answers sooner and the rush's CPU goes to taking places. Their context must be
# JSON (links, numbers); FILES in it asks for the calendar entry and the QR code.
LATER = frozenset({"verification", "confirmation"})
FILES = "with_files"


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def _reverse(appointment, name, **query):
    with translation.override(appointment.language):
        path = reverse(name, kwargs={"code": appointment.code})
    return absolute(f"{path}?{urlencode(query)}" if query else path)


def manage_url(appointment, token):
    return _reverse(appointment, "appointments:manage", t=token)


def verify_url(appointment, token):
    return _reverse(appointment, "appointments:verify", t=token)


def reply_url(appointment, answer):
    """A link that allows exactly one answer to a reminder ("confirm" or "cancel"), signed
    with the end of the appointment it was sent for (reply_link_expired)."""
    ends = int(appointment.slot.end.timestamp())
    signed = signing.dumps({"c": appointment.code, "a": answer, "e": ends}, salt=REPLY_SALT)
    return _reverse(appointment, "appointments:reply", s=signed)


def reply_link_expired(data, appointment, *, now=None):
    """Whether a reply link (its signed data) has ended: with the appointment it was sent for,
    and at the latest with the appointment as it is now (also for links signed without `e`)."""
    ends = appointment.slot.end
    if isinstance(data.get("e"), int):
        ends = min(ends, dt.datetime.fromtimestamp(data["e"], tz=dt.UTC))
    return (now or timezone.now()) >= ends


def rebook_url(appointment, token=None):
    """The start page, or with the secret of a rebooking offer the resident's personal link."""
    with translation.override(appointment.language):
        if token:
            return absolute(f"{reverse('appointments:rebook')}?{urlencode({'t': token})}")
        return absolute(reverse("appointments:home"))


def mail_context(language):
    """What every mail's frame shows: the authority, the service desk's contact block, and the
    statements in `language`
    (privacy notice, accessibility statement, imprint) as absolute links for the footer."""
    with translation.override(language):
        links = {
            f"{name}_url": absolute(reverse(f"appointments:{name}"))
            for name in ("privacy", "accessibility", "imprint")
        }
        service_desk = contact()
    return {
        "AUTHORITY_ADDRESS": settings.AUTHORITY_ADDRESS,
        "AUTHORITY_NAME": settings.AUTHORITY_NAME,
        "contact": service_desk,
        "language": language,
        "direction": "rtl" if translation.get_language_info(language)["bidi"] else "ltr",
        **links,
    }


def render_text(template_name, context):
    """A plain-text template rendered without HTML escaping: a text mail shows O'Brien and
    "<" as they are, never `O&#x27;Brien` or `&lt;` (the HTML part stays escaped)."""
    template = engines["django"].engine.get_template(template_name)
    return template.render(Context(context, autoescape=False))


def render_templates(prefix, language, context):
    """Subject, text and HTML of the templates `<prefix>_subject.txt`, `.txt`, `.html`."""
    context = {**mail_context(language), **context}
    with translation.override(language):
        subject = render_text(f"{prefix}_subject.txt", context)
        text = render_text(f"{prefix}.txt", context)
        html = render_to_string(f"{prefix}.html", context)
    return " ".join(subject.split()), text, html


def render_message(kind, appointment, **context):
    """Subject, text and HTML of one message kind, in the resident's language."""
    return render_templates(
        f"appointments/email/{kind}",
        appointment.language,
        {"appointment": appointment, "party_persons": party_persons(appointment), **context},
    )


def party_persons(appointment):
    """The persons of a group booking (for the mails to the booker), else an empty list."""
    if not appointment.party_id:
        return []
    return list(
        Appointment.objects.select_related("slot")
        .filter(party_id=appointment.party_id)
        .order_by("slot__start", "pk")
    )


def compose(
    kind, appointment, *, occasion="", attachments=(), unwritten=False, later=False, **context
):
    """The message rendered in the resident's language, not yet stored; None when there is
    nothing to send (no address, a group member's mail, or already written — which a caller
    that has just selected `unwritten` appointments need not ask again). `later`: stored with
    its context only, written by the worker (LATER; `context` JSON, FILES for the files)."""
    if not appointment.email:
        return None
    if appointment.party_id and appointment.party.lead_id not in (None, appointment.pk):
        return None  # a group booking's mails go to the booker once and list every person
    key = f"{appointment.pk}:{kind}:{occasion}"[:120]
    if not unwritten and OutboxMessage.objects.filter(idempotency_key=key).exists():
        return None
    if later:
        return OutboxMessage(
            kind=kind,
            appointment=appointment,
            idempotency_key=key,
            recipient=appointment.email,
            language=appointment.language,
            status=OutboxStatus.UNWRITTEN,
            render_context=context,
        )
    return outbox_row(
        kind,
        key,
        render_message(kind, appointment, **context),
        recipient=appointment.email,
        language=appointment.language,
        appointment=appointment,
        attachments=attachments,
    )


def outbox_row(kind, key, rendered, *, recipient, language, appointment=None, attachments=()):
    """An unsaved outbox row of a rendered message (subject, text, HTML) with its files."""
    subject, text, html = rendered
    return OutboxMessage(
        kind=kind,
        appointment=appointment,
        idempotency_key=key,
        recipient=recipient,
        language=language,
        subject=subject[:250],
        text_body=text,
        html_body=html,
        attachments=encoded(attachments),
    )


def encoded(attachments):
    """(file name, bytes, MIME type) triples as the outbox stores them (JSON, base64)."""
    return [
        {"filename": name, "content": base64.b64encode(content).decode(), "mimetype": mime}
        for name, content, mime in attachments
    ]


def write(message):
    """Write an unwritten message (its `render_context`) from its appointment as it is now, in
    the resident's language: sets subject, bodies and files on `message` (not saved; the
    worker sends it at once and keeps only its context until then). Raises Unwritable when
    the appointment is gone. A batch loads its messages' appointments at once (for_writing)."""
    appointment = message.appointment
    if appointment is None:
        raise Unwritable(f"appointment {message.appointment_id} no longer exists")
    context = dict(message.render_context)
    files = _attachments(appointment) if context.pop(FILES, False) else ()
    subject, text, html = render_message(message.kind, appointment, **context)
    message.subject, message.text_body, message.html_body = subject[:250], text, html
    message.attachments = encoded(files)
    return message


def for_writing(messages):
    """Load the appointments (with slot, team, service and party) of the unwritten ones among
    `messages` in one query, for `write`: a batch of new bookings' mails is not one query each."""
    unwritten = [message for message in messages if message.render_context is not None]
    with_parts = Appointment.objects.select_related("slot__team", "service", "party")
    prefetch_related_objects(unwritten, Prefetch("appointment", with_parts))
    return messages


class Unwritable(Exception):
    """An unwritten message whose appointment is gone: it cannot be written any more."""


def send(kind, appointment, *, fresh=False, along=(), **options):
    """Write the message to the outbox (once per appointment, kind and occasion) and have it
    delivered after the commit. Returns the message, or None when there is nothing to send.

    `fresh`: the appointment was created in this very transaction, so no process can have
    written a message for it yet (its id is new; ids are never reused): the row is inserted
    without the look-up and the savepoint that guard against a concurrent writer; a kind in
    LATER is stored unwritten, for the worker to write. `along` (only with `fresh`): new rows
    of the same transaction inserted with the message, in one round trip on PostgreSQL
    (sql.insert_all), or alone when there is no message to send."""
    message = compose(kind, appointment, unwritten=fresh, later=fresh and kind in LATER, **options)
    if fresh:
        insert_all([*along, *filter(None, [message])])
    elif along:
        raise ValueError("rows go along only with the first message of a new appointment")
    elif message is not None:
        try:
            with transaction.atomic():
                message.save(force_insert=True)
        except IntegrityError:
            return None  # written concurrently by another process: it goes out once
    if message is not None:
        outbox.enqueue_after_commit(message.pk)
    return message


def store_batch(messages):
    """Write composed messages in one statement and have them delivered after the commit as
    one batch; a message another process wrote meanwhile is skipped. Returns the stored ids."""
    messages = [message for message in messages if message is not None]
    OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
    keys = {message.idempotency_key: message.appointment_id for message in messages}
    ids = [
        pk
        for pk, key, appointment_id in OutboxMessage.objects.filter(
            idempotency_key__in=keys
        ).values_list("pk", "idempotency_key", "appointment_id")
        if keys[key] == appointment_id
    ]
    outbox.enqueue_after_commit(*ids, together=True)
    return ids


def appointment_created(appointment, *, token, along=()):
    """An online hold asks for verification; other channels are confirmed at once. Called in
    the transaction that created the appointment (its first message: `fresh`), with the
    transaction's new rows still to insert (`along`, see send)."""
    if appointment.channel == "invitation":
        insert_all(list(along))
        return  # the invitation itself is the message (appointments.invitations.sending)
    if appointment.status == "held":
        send(
            "verification",
            appointment,
            fresh=True,
            along=along,
            verify_url=verify_url(appointment, token),
            hold_minutes=settings.APPOINTMENT_HOLD_MINUTES,
        )
    else:
        appointment_booked(appointment, token=token, fresh=True, along=along)


def _attachments(appointment):
    """The calendar entry and the booking code's standard QR code (scanned at check-in)."""
    return [ics_attachment(appointment), qr_attachment(appointment)]


def appointment_booked(appointment, *, token, fresh=False, along=()):
    files = {FILES: True} if fresh else {"attachments": _attachments(appointment)}
    link = manage_url(appointment, token)
    send("confirmation", appointment, fresh=fresh, along=along, manage_url=link, **files)


def appointment_cancelled(appointment, *, rebook_token=None):
    """The cancellation; after one by the office, with the personal rebooking link."""
    send(
        "cancellation",
        appointment,
        rebook_url=rebook_url(appointment, rebook_token),
        personal_rebooking=bool(rebook_token),
        rebook_days=settings.REBOOKING_LINK_DAYS,
    )


def appointment_rescheduled(appointment, *, token=None, occasion=""):
    send(
        "reschedule",
        appointment,
        occasion=occasion,
        manage_url=manage_url(appointment, token) if token else None,
        attachments=_attachments(appointment),
    )


def appointment_no_show(appointment):
    send("no_show", appointment, rebook_url=rebook_url(appointment))


def reminder(appointment, *, lead_hours, write=send, **options):
    """The reminder for one lead; `write=compose` only renders it (for `store_batch`)."""
    return write(
        "reminder",
        appointment,
        occasion=f"lead-{lead_hours}",
        confirm_url=reply_url(appointment, "confirm"),
        cancel_url=reply_url(appointment, "cancel"),
        attachments=_attachments(appointment),
        **options,
    )
