"""Help when the mail is lost: the booking code, the date of birth and the e-mail address used
bring a new manage link to that mailbox (only the token's hash is stored, so the old link ends).

Whoever asks learns nothing: the caller shows the same answer whether or not a booking matched,
and the limits count every attempt per client address and per code (protection.allow).
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import protection
from .audit import log_event
from .codes import hash_token, is_valid_code, new_token, normalize_code
from .errors import TooManyAttempts
from .models import Appointment, Status
from .names import email_key
from .notifications import messages

# Appointments whose manage link is worth sending again (a held one has its verification mail,
# a finished or cancelled one nothing left to manage).
RESENDABLE = (Status.BOOKED, Status.CHECKED_IN, Status.CALLED, Status.IN_SERVICE)


def check_limits(*, client, code):
    """Count one attempt per client address (hour) and per code (day); TooManyAttempts after
    the limit. Counted before the lookup, so a refused attempt reveals nothing either."""
    allowed = protection.allow(
        "find-ip", client, limit=settings.RATE_LIMIT_FIND_PER_IP_HOUR, window_seconds=3600
    ) and protection.allow(
        "find-code",
        normalize_code(code),
        limit=settings.RATE_LIMIT_FIND_PER_CODE_DAY,
        window_seconds=86400,
    )
    if not allowed:
        raise TooManyAttempts()


def _matching(code, date_of_birth, email, now):
    code = normalize_code(code)
    if not is_valid_code(code) or not isinstance(date_of_birth, dt.date):
        return None
    found = (
        Appointment.objects.select_related("slot", "service")
        .filter(
            code=code,
            date_of_birth=date_of_birth,
            status__in=RESENDABLE,
            slot__end__gt=now,
            pseudonymised_at__isnull=True,
        )
        .exclude(email="")
        .first()
    )
    if found is None or found.email_key != email_key(email):
        return None
    return found


@transaction.atomic
def resend_manage_link(*, code, date_of_birth, email, now=None):
    """If code, date of birth and mailbox belong to one current booking: replace its token and
    mail the new manage link (the old link stops working). Returns the message or None; the
    caller must not tell the two apart."""
    now = now or timezone.now()
    appointment = _matching(code, date_of_birth, email, now)
    if appointment is None:
        return None
    token = new_token()
    hashed = hash_token(token)
    # Guarded: a booking cancelled meanwhile gets no link; of two concurrent requests each
    # mails its own link and the last one written wins.
    if not Appointment.objects.filter(pk=appointment.pk, status__in=RESENDABLE).update(
        token_hash=hashed
    ):
        return None
    appointment.token_hash = hashed
    if appointment.party_id:
        # A group booking shares one link: every person gets the new token, the booker the mail.
        Appointment.objects.filter(party_id=appointment.party_id).update(token_hash=hashed)
        appointment = Appointment.objects.get(pk=appointment.party.lead_id or appointment.pk)
    log_event(action="appointment.link_reissued", appointment=appointment, at=now)
    return messages.send(
        "manage_link",
        appointment,
        occasion=hashed[:16],
        manage_url=messages.manage_url(appointment, token),
    )
