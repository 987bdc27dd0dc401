"""A pending hold as the resident sees it: until when the place is held, where the
verification mail went (masked), and "send it again" (rate limited, never a second place and
never a longer hold).

The verification link carries the secret token, of which only the hash is stored; the caller
passes the token it kept in the resident's own session, so the mail sent again is the same
mail with the same link.
"""

import dataclasses
import datetime as dt
import math

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .audit import log_event
from .codes import token_matches
from .errors import HoldExpired, NotFound, TooManyAttempts
from .models import Appointment, OutboxMessage, Status
from .names import email_key, surname_key
from .notifications import messages


@dataclasses.dataclass(frozen=True)
class HoldState:
    appointment: Appointment
    expires_at: dt.datetime | None
    seconds_left: int
    masked_email: str

    @property
    def pending(self):
        return self.appointment.status == Status.HELD and self.seconds_left > 0

    @property
    def expired(self):
        return self.appointment.status == Status.EXPIRED or (
            self.appointment.status == Status.HELD and self.seconds_left <= 0
        )


def mask_email(address):
    """'a•••@example.org': enough to recognise one's own mailbox, not to read it off a screen."""
    local, at, domain = (address or "").partition("@")
    if not at:
        return ""
    return f"{local[:1]}•••@{domain}"


def hold_state(appointment, *, now=None):
    """What the held page shows for `appointment` at `now`."""
    now = now or timezone.now()
    expires = appointment.hold_expires_at if appointment.status == Status.HELD else None
    left = max(0, math.ceil((expires - now).total_seconds())) if expires else 0
    return HoldState(appointment, expires, left, mask_email(appointment.email))


def pending_for(*, codes, service, person, now=None):
    """Of the holds made in this session (`codes`), the pending one of the same person for
    `service`, or None: a retry of the details step is answered with that hold."""
    now = now or timezone.now()
    return (
        Appointment.objects.filter(
            code__in=codes,
            service=service,
            status=Status.HELD,
            hold_expires_at__gt=now,
            surname_key=surname_key(person.surname),
            date_of_birth=person.date_of_birth,
            email_key=email_key(person.email),
        )
        .order_by("-held_at")
        .first()
    )


def latest_pending(*, codes, service, now=None):
    """The newest pending hold for `service` among this session's holds (`codes`), or None."""
    now = now or timezone.now()
    return (
        Appointment.objects.filter(
            code__in=codes, service=service, status=Status.HELD, hold_expires_at__gt=now
        )
        .order_by("-held_at")
        .first()
    )


def _verification_mails(appointment):
    return OutboxMessage.objects.filter(appointment=appointment, kind="verification")


@transaction.atomic
def resend_verification(*, code, token, now=None):
    """Write the verification mail of a pending hold to the outbox once more (same link);
    the hold keeps its expiry. Returns the outbox message."""
    now = now or timezone.now()
    appointment = (
        Appointment.objects.select_for_update().select_related("slot", "service").filter(code=code)
    ).first()
    if appointment is None or not token_matches(appointment, token):
        raise NotFound()
    if appointment.status != Status.HELD or appointment.hold_expires_at <= now:
        raise HoldExpired()
    sent = list(_verification_mails(appointment).order_by("-created_at")[:1])
    count = _verification_mails(appointment).count()
    if count > settings.HOLD_RESEND_MAX:
        raise TooManyAttempts(
            _("The e-mail has already been sent several times. Please look in your spam folder.")
        )
    if sent:
        wait = settings.HOLD_RESEND_INTERVAL_SECONDS - (now - sent[0].created_at).total_seconds()
        if wait > 0:
            seconds = math.ceil(wait)
            raise TooManyAttempts(
                ngettext(
                    "The e-mail was sent just now. You can ask again in %(seconds)d second.",
                    "The e-mail was sent just now. You can ask again in %(seconds)d seconds.",
                    seconds,
                )
                % {"seconds": seconds},
                retry_after=seconds,
            )
    left = (appointment.hold_expires_at - now).total_seconds()
    message = messages.send(
        "verification",
        appointment,
        occasion=f"resend-{count}",
        verify_url=messages.verify_url(appointment, token),
        hold_minutes=max(1, math.ceil(left / 60)),
    )
    if message is not None:
        OutboxMessage.objects.filter(pk=message.pk).update(created_at=now)
    log_event(action="appointment.verification_resent", appointment=appointment, at=now)
    return message
