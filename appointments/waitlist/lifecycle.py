"""The wish and offer lifecycles: one table of allowed moves each, and the guarded move that
stamps time and logs the event in the same transaction (as appointments.lifecycle)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..audit import log_event
from ..errors import OfferTransitionNotAllowed, WishTransitionNotAllowed
from ..models import Offer, OfferState, Wish, WishState

W = WishState
OS = OfferState

# from-state → the states it may move to. Everything not listed is refused.
WISH_TRANSITIONS = {
    # confirmed by the link in the mail; or withdrawn / never confirmed in time
    W.PENDING: {W.ACTIVE, W.WITHDRAWN, W.EXPIRED},
    W.ACTIVE: {W.OFFERED, W.WITHDRAWN, W.EXPIRED},
    # the offer accepted; declined, expired or withdrawn (back to waiting, or paused after the
    # third expired offer); the wish withdrawn while the offer was open
    W.OFFERED: {W.BOOKED, W.ACTIVE, W.PAUSED, W.WITHDRAWN},
    # a paused wish waits again after one click; or ends
    W.PAUSED: {W.ACTIVE, W.WITHDRAWN, W.EXPIRED},
    W.BOOKED: set(),
    W.WITHDRAWN: set(),
    W.EXPIRED: set(),
}

OFFER_TRANSITIONS = {
    OS.OPEN: {OS.ACCEPTED, OS.DECLINED, OS.EXPIRED, OS.WITHDRAWN},
    OS.ACCEPTED: set(),
    OS.DECLINED: set(),
    OS.EXPIRED: set(),
    OS.WITHDRAWN: set(),
}


def can_move_wish(from_state, to_state):
    return to_state in WISH_TRANSITIONS.get(from_state, set())


def can_move_offer(from_state, to_state):
    return to_state in OFFER_TRANSITIONS.get(from_state, set())


@transaction.atomic
def move_wish(*, wish_id, to_state, actor=None, now=None, extra_fields=None, **event_data):
    """Move a wish to `to_state`; guarded by its current state, so of two concurrent moves only
    one wins (the other gets WishTransitionNotAllowed). Returns the refreshed wish."""
    now = now or timezone.now()
    from_state = Wish.objects.values_list("state", flat=True).get(pk=wish_id)
    if not can_move_wish(from_state, to_state):
        raise WishTransitionNotAllowed(
            _("An appointment wish that is “%(current)s” cannot become “%(target)s”.")
            % {"current": W(from_state).label, "target": W(to_state).label}
        )
    fields = {"state": to_state, "state_changed_at": now, **(extra_fields or {})}
    if not Wish.objects.filter(pk=wish_id, state=from_state).update(**fields):
        raise WishTransitionNotAllowed(_("Someone else has just changed this appointment wish."))
    log_event(
        action=f"wish.{W(to_state).value}",
        actor=actor,
        at=now,
        wish=wish_id,
        from_state=from_state,
        **event_data,
    )
    return Wish.objects.get(pk=wish_id)


@transaction.atomic
def move_offer(*, offer_id, to_state, actor=None, now=None, extra_fields=None, **event_data):
    """Move an offer to `to_state` (guarded like move_wish); returns the refreshed offer."""
    now = now or timezone.now()
    from_state = Offer.objects.values_list("state", flat=True).get(pk=offer_id)
    if not can_move_offer(from_state, to_state):
        raise OfferTransitionNotAllowed()
    fields = {"state": to_state, "answered_at": now, **(extra_fields or {})}
    if not Offer.objects.filter(pk=offer_id, state=from_state).update(**fields):
        raise OfferTransitionNotAllowed()
    offer = Offer.objects.select_related("appointment", "wish").get(pk=offer_id)
    log_event(
        action=f"offer.{OS(to_state).value}",
        appointment=offer.appointment,
        actor=actor,
        at=now,
        offer=offer_id,
        wish=offer.wish_id,
        from_state=from_state,
        **event_data,
    )
    return offer
