"""The wish and offer transition tables: every allowed move works, stamps time and logs who;
every other move is refused and changes nothing; the database keeps one open wish per person
and mailbox and one open offer per wish."""

import datetime as dt
import itertools

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from appointments.errors import OfferTransitionNotAllowed, WishTransitionNotAllowed
from appointments.models import Event, Offer, OfferState, Wish, WishState
from appointments.waitlist import lifecycle
from tests.appointments.waitlist.helpers import wish_row
from tests.factories import SlotFactory, staff

pytestmark = pytest.mark.django_db

W, OS = WishState, OfferState
WISH_PAIRS = list(itertools.product(W, W))
WISH_LEGAL = [(a, b) for a, b in WISH_PAIRS if b in lifecycle.WISH_TRANSITIONS[a]]
WISH_ILLEGAL = [(a, b) for a, b in WISH_PAIRS if b not in lifecycle.WISH_TRANSITIONS[a]]
OFFER_PAIRS = list(itertools.product(OS, OS))
OFFER_LEGAL = [(a, b) for a, b in OFFER_PAIRS if b in lifecycle.OFFER_TRANSITIONS[a]]
OFFER_ILLEGAL = [(a, b) for a, b in OFFER_PAIRS if b not in lifecycle.OFFER_TRANSITIONS[a]]


def offer_in(state):
    wish, _token = wish_row(state=W.OFFERED)
    slot = SlotFactory(team=wish.team)
    return Offer.objects.create(
        wish=wish, slot=slot, state=state, expires_at=timezone.now() + dt.timedelta(hours=24)
    )


def test_every_state_has_a_row_in_both_tables():
    assert set(lifecycle.WISH_TRANSITIONS) == set(W)
    assert set(lifecycle.OFFER_TRANSITIONS) == set(OS)


def test_ended_wishes_and_answered_offers_allow_no_move():
    for state in (W.BOOKED, W.WITHDRAWN, W.EXPIRED):
        assert lifecycle.WISH_TRANSITIONS[state] == set()
    for state in (OS.ACCEPTED, OS.DECLINED, OS.EXPIRED, OS.WITHDRAWN):
        assert lifecycle.OFFER_TRANSITIONS[state] == set()


def test_only_an_offer_leads_to_a_booking_and_nothing_returns_to_pending():
    assert [a for a, targets in lifecycle.WISH_TRANSITIONS.items() if W.BOOKED in targets] == [
        W.OFFERED
    ]
    assert not any(W.PENDING in targets for targets in lifecycle.WISH_TRANSITIONS.values())


@pytest.mark.parametrize(("current", "target"), WISH_ILLEGAL, ids=str)
def test_illegal_wish_moves_are_refused_and_change_nothing(current, target):
    wish, _token = wish_row(state=current)
    events = Event.objects.count()
    with pytest.raises(WishTransitionNotAllowed):
        lifecycle.move_wish(wish_id=wish.pk, to_state=target)
    assert Wish.objects.get(pk=wish.pk).state == current
    assert Event.objects.count() == events


@pytest.mark.parametrize(("current", "target"), WISH_LEGAL, ids=str)
def test_legal_wish_moves_stamp_their_time_and_log_who(current, target):
    wish, _token = wish_row(state=current)
    clerk = staff(username="clerk")
    now = timezone.now() + dt.timedelta(minutes=5)
    moved = lifecycle.move_wish(wish_id=wish.pk, to_state=target, actor=clerk, now=now)
    assert moved.state == target
    assert moved.state_changed_at == now
    event = Event.objects.get(action=f"wish.{target}")
    assert (event.actor, event.at, event.data["wish"], event.data["from_state"]) == (
        clerk,
        now,
        wish.pk,
        current,
    )


def test_of_two_concurrent_wish_moves_only_one_wins():
    wish, _token = wish_row(state=W.ACTIVE)
    lifecycle.move_wish(wish_id=wish.pk, to_state=W.OFFERED)
    with pytest.raises(WishTransitionNotAllowed):
        lifecycle.move_wish(wish_id=wish.pk, to_state=W.OFFERED)
    assert Event.objects.filter(action="wish.offered").count() == 1


@pytest.mark.parametrize(("current", "target"), OFFER_ILLEGAL, ids=str)
def test_illegal_offer_moves_are_refused_and_change_nothing(current, target):
    offer = offer_in(current)
    events = Event.objects.count()
    with pytest.raises(OfferTransitionNotAllowed):
        lifecycle.move_offer(offer_id=offer.pk, to_state=target)
    assert Offer.objects.get(pk=offer.pk).state == current
    assert Event.objects.count() == events


@pytest.mark.parametrize(("current", "target"), OFFER_LEGAL, ids=str)
def test_legal_offer_moves_stamp_their_time_and_log_who(current, target):
    offer = offer_in(current)
    clerk = staff(username="clerk")
    now = timezone.now() + dt.timedelta(minutes=5)
    moved = lifecycle.move_offer(offer_id=offer.pk, to_state=target, actor=clerk, now=now)
    assert (moved.state, moved.answered_at) == (target, now)
    event = Event.objects.get(action=f"offer.{target}")
    assert (event.actor, event.data["offer"], event.data["wish"]) == (
        clerk,
        offer.pk,
        offer.wish_id,
    )


def test_one_open_wish_per_person_and_service():
    wish, _token = wish_row(state=W.ACTIVE)
    with pytest.raises(IntegrityError), transaction.atomic():
        wish_row(
            service=wish.service,
            team=wish.team,
            surname=wish.surname.upper(),
            email="other@example.test",
        )
    # an ended wish does not count
    Wish.objects.filter(pk=wish.pk).update(state=W.WITHDRAWN)
    wish_row(service=wish.service, team=wish.team, surname=wish.surname, email="o@example.test")


def test_one_open_wish_per_mailbox_and_service():
    wish, _token = wish_row(state=W.PENDING, email="Same@Example.test")
    with pytest.raises(IntegrityError), transaction.atomic():
        wish_row(service=wish.service, team=wish.team, n=2, email="same@example.test")


def test_one_open_offer_per_wish():
    offer = offer_in(OS.OPEN)
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(
            wish=offer.wish, slot=offer.slot, expires_at=offer.expires_at, state=OS.OPEN
        )
    Offer.objects.create(
        wish=offer.wish, slot=offer.slot, expires_at=offer.expires_at, state=OS.DECLINED
    )
