"""The allocator: a freed place is held for the best-ranked matching wish and offered to it;
answers (accept, decline) and the end of the answer window move it on.

The place is taken with the booking's own guarded primitive (booking._take_place, then
booking.create_appointment with status held), so it never exceeds capacity; wishes are claimed
with select_for_update(skip_locked) and moved with the guarded lifecycle update, so two places
freed at once never give one wish two offers (the database adds: one open offer per wish).
When no wish fits, nothing changes and the place stays public.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import booking, lifecycle, notifications
from ..audit import log_event
from ..availability import bookable_dates
from ..codes import hash_token, new_token
from ..errors import (
    BookingError,
    OfferAlreadyAccepted,
    OfferExpired,
    OfferTransitionNotAllowed,
)
from ..models import (
    ACTIVE_STATUSES,
    Appointment,
    CancellationReason,
    Channel,
    Contingent,
    Offer,
    OfferState,
    Slot,
    Status,
    Wish,
    WishState,
)
from ..people import Person
from . import mails, ranking
from .lifecycle import move_offer, move_wish

# The held appointment outlives the offer a little, so the hold sweeper (expire_holds) never
# comes before this module's sweep, which moves the offer on and gives the place to the next
# wish.
HOLD_GRACE = dt.timedelta(minutes=15)


def answer_window(slot_start, *, now):
    """How long the resident may answer: the knob, but at most half the time left until the
    appointment; None when that is shorter than the minimum (the place then stays public)."""
    window = min(dt.timedelta(hours=settings.WAITLIST_OFFER_HOURS), (slot_start - now) / 2)
    if window < dt.timedelta(minutes=settings.WAITLIST_OFFER_MIN_MINUTES):
        return None
    return window


def _services(slot, *, now, released_only):
    """Ids of the services a wish may have to be offered `slot` (online, and released)."""
    ids = []
    for service in slot.rule.services.filter(active=True, bookable_online=True):
        if released_only:
            first, last = bookable_dates(service, now=now)
            if not first <= timezone.localdate(slot.start) <= last:
                continue
        ids.append(service.pk)
    return ids


def _person(wish):
    return Person(
        surname=wish.surname,
        given_names=wish.given_names,
        date_of_birth=wish.date_of_birth,
        email=wish.email,
        nationality=str(wish.nationality or ""),
        language=wish.language,
    )


def _hold_for(wish, slot, *, expires_at, now):
    """Take the place for `wish` (savepoint: a refused take or a duplicate changes nothing);
    returns the held appointment or None."""
    if Appointment.objects.filter(
        surname_key=wish.surname_key,
        date_of_birth=wish.date_of_birth,
        service=wish.service,
        status__in=ACTIVE_STATUSES,
    ).exists():
        return None  # booked meanwhile: the wish waits on, the place goes to the next
    try:
        with transaction.atomic():
            booking._check_email_limits(wish.email_key, wish.service)
            booking._take_place(slot.pk, [Contingent.ONLINE])
            appointment, _token = booking.create_appointment(
                slot=slot,
                service=wish.service,
                person=_person(wish),
                channel=Channel.ONLINE,
                status=Status.HELD,
                now=now,
            )
    except BookingError:
        return None
    appointment.hold_expires_at = expires_at + HOLD_GRACE
    appointment.save(update_fields=["hold_expires_at"])
    return appointment


def _offer_one(slot, *, now, released_only):
    """Hold one free place of `slot` for the best-ranked matching wish; the offer or None."""
    if slot.closed or slot.contingent != Contingent.ONLINE or slot.booked >= slot.capacity:
        return None
    window = answer_window(slot.start, now=now)
    if window is None or slot.rule_id is None:
        return None
    service_ids = _services(slot, now=now, released_only=released_only)
    if not service_ids:
        return None
    had_this_slot = Offer.objects.filter(slot=slot).values("wish_id")
    candidates = ranking.ranked(
        ranking.waiting(service_ids=service_ids, team_id=slot.team_id).exclude(
            pk__in=had_this_slot
        ),
        today=timezone.localdate(now),
    ).select_related("service")
    ranked_list = list(candidates)
    for place, candidate in enumerate(ranked_list, start=1):
        if not ranking.matches(candidate, slot):
            continue
        claimed = (
            Wish.objects.select_for_update(skip_locked=True)
            .filter(pk=candidate.pk, state=WishState.ACTIVE)
            .first()
        )
        if claimed is None:
            continue  # being offered another place right now, or no longer waiting
        expires_at = now + window
        appointment = _hold_for(candidate, slot, expires_at=expires_at, now=now)
        if appointment is None:
            if Slot.objects.filter(pk=slot.pk, booked__lt=slot.capacity).exists():
                continue  # this person cannot hold it (an appointment already): the next
            return None
        offer = Offer.objects.create(
            wish=candidate,
            slot=slot,
            appointment=appointment,
            offered_at=now,
            expires_at=expires_at,
        )
        key = ranking.rank_key(candidate)
        # Those equal but for the lottery ticket: the draw that decided (first 20 logged).
        untied = key | {"lottery_ticket": None}
        ties = [
            [other.pk, other.lottery_ticket]
            for other in ranked_list
            if ranking.rank_key(other) | {"lottery_ticket": None} == untied
        ][:20]
        move_wish(wish_id=candidate.pk, to_state=WishState.OFFERED, now=now, offer=offer.pk)
        log_event(
            action="offer.open",
            appointment=appointment,
            at=now,
            offer=offer.pk,
            wish=candidate.pk,
            slot=slot.pk,
            rank=place,
            candidates=len(ranked_list),
            rank_key=key,
            lottery_seed=candidate.lottery_seed,
            lottery_tied=ties,
        )
        offer = Offer.objects.select_related("wish", "appointment", "slot").get(pk=offer.pk)
        mails.offer_made(offer)
        return offer
    return None


@transaction.atomic
def offer_freed_place(*, slot_id, now=None, released_only=True):
    """Offer every free online place of `slot_id` to the best-ranked matching wishes, one
    each; returns the offers made (none: the places stay public). Safe to run twice."""
    now = now or timezone.now()
    slot = Slot.objects.select_related("rule").filter(pk=slot_id, start__gt=now).first()
    offers = []
    while slot is not None:
        offer = _offer_one(slot, now=now, released_only=released_only)
        if offer is None:
            break
        offers.append(offer)
        slot.refresh_from_db(fields=["booked", "capacity", "closed"])
    return offers


def _hand_on(slot_id, *, now):
    offer_freed_place(slot_id=slot_id, now=now)


def release_delayed_places(*, now=None):
    """Free the places whose anti-trading delay has passed, each offered to the waitlist in
    the same transaction (a place freed and committed first would be public until a worker
    runs the allocator: a bot polling every few seconds takes it); returns how many."""
    return booking.release_delayed_places(now=now, hand_on=_hand_on)


def expire_holds(*, now=None):
    """Expire the unverified holds; each freed place goes to the waitlist first, in the same
    transaction. Returns how many expired."""
    return booking.expire_holds(now=now, hand_on=_hand_on)


def offer_free_places(*, team_id=None, now=None, limit=500):
    """Offer the free online places of the coming released days (capacity added, a closure
    lifted) to waiting wishes; returns how many offers were made."""
    now = now or timezone.now()
    waiting = Wish.objects.filter(state=WishState.ACTIVE)
    if team_id is not None:
        waiting = waiting.filter(team_id=team_id)
    teams = set(waiting.values_list("team_id", flat=True))
    if not teams:
        return 0
    slot_ids = list(
        Slot.objects.filter(
            team_id__in=teams,
            start__gt=now,
            closed=False,
            contingent=Contingent.ONLINE,
            booked__lt=F("capacity"),
        )
        .order_by("start")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(len(offer_freed_place(slot_id=pk, now=now)) for pk in slot_ids)


def offer_for(*, offer_id):
    return Offer.objects.select_related("wish", "slot", "appointment", "wish__service").get(
        pk=offer_id
    )


def _locked_open_offer(offer_id, now):
    offer = Offer.objects.select_for_update().get(pk=offer_id)
    if offer.state == OfferState.ACCEPTED:
        raise OfferAlreadyAccepted()
    if offer.state == OfferState.EXPIRED or (
        offer.state == OfferState.OPEN and offer.expires_at <= now
    ):
        raise OfferExpired()
    if offer.state != OfferState.OPEN:
        raise OfferTransitionNotAllowed()
    return offer


@transaction.atomic
def accept_offer(*, offer_id, actor=None, now=None):
    """Book the held appointment exactly as a verified booking (confirmation mail with .ics and
    the manage link); returns (appointment, manage token). Twice: OfferAlreadyAccepted; after
    the window: OfferExpired."""
    now = now or timezone.now()
    offer = _locked_open_offer(offer_id, now)
    token = new_token()
    appointment = lifecycle.move(
        appointment_id=offer.appointment_id,
        to_status=Status.BOOKED,
        actor=actor,
        now=now,
        extra_fields={"hold_expires_at": None, "token_hash": hash_token(token)},
        offer=offer.pk,
    )
    move_offer(offer_id=offer.pk, to_state=OfferState.ACCEPTED, actor=actor, now=now)
    move_wish(wish_id=offer.wish_id, to_state=WishState.BOOKED, actor=actor, now=now)
    notifications.appointment_booked(appointment, token=token)
    return appointment, token


def _release(offer, *, to_state, now, actor=None, wish_state=WishState.ACTIVE, **event_data):
    """End an open offer: its held appointment ends (the place is freed), the wish moves on;
    then the place goes to the next wish in the same transaction (never public in between)."""
    appointment = offer.appointment
    if appointment is not None and appointment.status == Status.HELD:
        lifecycle.move(
            appointment_id=appointment.pk,
            to_status=Status.CANCELLED if to_state != OfferState.EXPIRED else Status.EXPIRED,
            actor=actor,
            now=now,
            extra_fields={"hold_expires_at": None}
            | (
                {"cancellation_reason": CancellationReason.RESIDENT}
                if to_state != OfferState.EXPIRED
                else {}
            ),
            offer=offer.pk,
        )
        booking._free_place(appointment.slot_id, now=now)
    move_offer(offer_id=offer.pk, to_state=to_state, actor=actor, now=now, **event_data)
    if wish_state is not None:
        move_wish(wish_id=offer.wish_id, to_state=wish_state, actor=actor, now=now)
    return offer_freed_place(slot_id=offer.slot_id, now=now)


@transaction.atomic
def decline_offer(*, offer_id, actor=None, now=None):
    """The resident does not want this time: the wish waits on (same rank), the place goes to
    the next wish. Returns the offers that followed."""
    now = now or timezone.now()
    offer = _locked_open_offer(offer_id, now)
    offer = offer_for(offer_id=offer.pk)
    return _release(offer, to_state=OfferState.DECLINED, now=now, actor=actor)


def withdraw_open_offer(*, wish_id, now, actor=None):
    """Called when a wish is withdrawn while offered: the offer ends, the place moves on."""
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .filter(wish_id=wish_id, state=OfferState.OPEN)
        .select_related("appointment")
        .first()
    )
    if offer is None:
        return []
    return _release(offer, to_state=OfferState.WITHDRAWN, now=now, actor=actor, wish_state=None)


def expire_offers(*, now=None):
    """End the offers whose window has passed (the place goes to the next wish; the third
    expired offer pauses the wish, with a mail), and withdraw open offers whose held
    appointment ended otherwise (e.g. a closure). Returns how many offers ended."""
    now = now or timezone.now()
    ended = 0
    due = Offer.objects.filter(state=OfferState.OPEN, expires_at__lte=now)
    for offer_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            offer = (
                Offer.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=offer_id, state=OfferState.OPEN)
                .select_related("appointment", "wish")
                .first()
            )
            if offer is None:
                continue
            expired = offer.wish.expired_offers + 1
            Wish.objects.filter(pk=offer.wish_id).update(expired_offers=expired)
            pause = expired >= settings.WAITLIST_MAX_EXPIRED_OFFERS
            _release(
                offer,
                to_state=OfferState.EXPIRED,
                now=now,
                wish_state=WishState.PAUSED if pause else WishState.ACTIVE,
            )
            if pause:
                mails.wish_paused(Wish.objects.get(pk=offer.wish_id))
            ended += 1
    orphaned = Offer.objects.filter(state=OfferState.OPEN).exclude(appointment__status=Status.HELD)
    for offer_id in list(orphaned.values_list("pk", flat=True)):
        with transaction.atomic():
            offer = Offer.objects.select_for_update(skip_locked=True).filter(pk=offer_id).first()
            if offer is None or offer.state != OfferState.OPEN:
                continue
            move_offer(offer_id=offer.pk, to_state=OfferState.WITHDRAWN, now=now)
            move_wish(wish_id=offer.wish_id, to_state=WishState.ACTIVE, now=now)
            ended += 1
    return ended
