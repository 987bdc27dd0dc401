"""Priority rebooking from the personal link (appointments.rebooking_offers): the resident picks
a new time from the internal contingent of the team that had the cancelled appointment, or the
earliest free times when none is left; booked through booking.book, once per link."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import booking
from .audit import log_event
from .availability import available_days
from .errors import SlotUnavailable
from .models import Channel, Contingent
from .people import Person
from .rebooking_offers import find_offer

# The offer shows the free places of at most this many days.
OFFER_DAYS = 10


def rebooking_days(offer, *, now=None):
    """The days with free places for the offer: internal places of the cancelled appointment's
    team first; when there are none within the slot horizon, the earliest free times of both
    contingents. Returns (days, internal) with days as available_days() gives them."""
    now = now or timezone.now()
    cancelled = offer.appointment
    today = timezone.localdate(now)
    span = {
        "service": cancelled.service,
        "team": cancelled.slot.team,
        "date_from": today + dt.timedelta(days=1),
        "date_to": today + dt.timedelta(days=settings.SLOT_HORIZON_DAYS),
        "now": now,
        "respect_release": False,
    }
    days = available_days(contingents=(Contingent.INTERNAL,), **span)
    if days:
        return days[:OFFER_DAYS], True
    return available_days(contingents=(Contingent.INTERNAL, Contingent.ONLINE), **span)[
        :OFFER_DAYS
    ], False


@transaction.atomic
def rebook(*, token, slot_id, now=None):
    """Book the chosen slot for the person of the cancelled appointment (same service, same
    case) and spend the link. Returns the new appointment; the resident gets the confirmation
    mail with its own manage link. The slot must be one the offer shows."""
    now = now or timezone.now()
    offer = find_offer(token, now=now, for_update=True)
    offered = {slot.pk for _day, slots in rebooking_days(offer, now=now)[0] for slot in slots}
    if slot_id not in offered:
        raise SlotUnavailable()
    cancelled = offer.appointment
    appointment, _token = booking.book(
        service=cancelled.service,
        slot_id=slot_id,
        person=Person.of(cancelled),
        channel=Channel.REBOOKING,
        case=cancelled.case,
        now=now,
    )
    offer.used_at, offer.rebooked = now, appointment
    offer.save(update_fields=["used_at", "rebooked"])
    log_event(action="rebooking.used", appointment=appointment, at=now, cancelled=cancelled.pk)
    return appointment
