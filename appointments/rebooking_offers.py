"""The personal rebooking link sent when the office cancels an appointment (a closure, a change
of the opening hours): a secret only the resident holds, stored as its hash (as codes.py does
for manage tokens), valid for REBOOKING_LINK_DAYS and usable once (appointments.rebooking)."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .audit import log_event
from .codes import hash_token, new_token
from .errors import NotFound, RebookingExpired, RebookingUsed
from .models import CancellationReason, RebookingOffer

# Cancellations by the office that come with a personal rebooking link.
OFFICE_REASONS = (CancellationReason.CLOSURE, CancellationReason.HOURS)
# Longer input is no token of ours (new_token gives 32 characters).
MAX_TOKEN_LENGTH = 64


@transaction.atomic
def offer_rebooking(*, appointment, now=None):
    """Create (or renew) the rebooking offer for a cancelled `appointment`; returns the secret
    for the mail. Only its hash is stored."""
    now = now or timezone.now()
    token = new_token()
    offer, _created = RebookingOffer.objects.update_or_create(
        appointment=appointment,
        defaults={
            "token_hash": hash_token(token),
            "created_at": now,
            "expires_at": now + dt.timedelta(days=settings.REBOOKING_LINK_DAYS),
            "used_at": None,
            "rebooked": None,
        },
    )
    log_event(action="rebooking.offered", appointment=appointment, at=now, offer=offer.pk)
    return token


def find_offer(token, *, now=None, for_update=False):
    """The offer for a secret; NotFound for an unknown one, RebookingUsed once used,
    RebookingExpired after REBOOKING_LINK_DAYS."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise NotFound()
    offers = RebookingOffer.objects.select_related(
        "appointment", "appointment__service", "appointment__slot", "appointment__slot__team"
    )
    if for_update:
        offers = offers.select_for_update(of=("self",))
    offer = offers.filter(token_hash=hash_token(token)).first()
    if offer is None:
        raise NotFound()
    if offer.used_at is not None:
        raise RebookingUsed()
    if offer.expires_at <= (now or timezone.now()):
        raise RebookingExpired()
    return offer
