"""The waitlist under real concurrency (PostgreSQL, separate connections released together):
two places freed at the same instant for one wish give one offer; accepting twice books once;
many allocators for one freed place hold it once."""

import pytest

from appointments.errors import OfferAlreadyAccepted
from appointments.models import Appointment, Offer, OfferState, Slot, Status, Wish, WishState
from appointments.waitlist import allocation, wishes
from tests.appointments.test_races import race
from tests.factories import bookable_slot, person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def waiting(service, n=0):
    _wish, token = wishes.register_wish(
        service=service, person=person(n, surname=f"Race{n}", email=f"race{n}@example.test")
    )
    return wishes.confirm_wish(token=token)


def test_two_places_freed_at_the_same_instant_for_one_wish_give_one_offer():
    service, team, first = bookable_slot(capacity=1, hour=9)
    _s, _t, second = bookable_slot(service=service, team=team, capacity=1, hour=11)
    wish = waiting(service)

    outcomes = race(
        lambda i: len(allocation.offer_freed_place(slot_id=(first, second)[i].pk)), count=2
    )
    assert sorted(outcomes) == [0, 1], outcomes
    assert Offer.objects.filter(wish=wish, state=OfferState.OPEN).count() == 1
    assert Wish.objects.get(pk=wish.pk).state == WishState.OFFERED
    assert (
        sum(Slot.objects.filter(pk__in=[first.pk, second.pk]).values_list("booked", flat=True)) == 1
    )


def test_many_allocators_for_one_freed_place_hold_it_once():
    service, _team, slot = bookable_slot(capacity=1)
    for n in range(3):
        waiting(service, n)
    outcomes = race(lambda i: len(allocation.offer_freed_place(slot_id=slot.pk)), count=8)
    assert sum(o for o in outcomes if isinstance(o, int)) == 1, outcomes
    assert Slot.objects.get(pk=slot.pk).booked == 1
    assert Offer.objects.count() == 1 == Appointment.objects.count()


def test_accepting_twice_at_once_books_once():
    service, _team, slot = bookable_slot(capacity=1)
    waiting(service)
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)

    def accept(_i):
        appointment, _token = allocation.accept_offer(offer_id=offer.pk)
        return appointment.pk

    outcomes = race(accept, count=6)
    won = [o for o in outcomes if isinstance(o, int)]
    assert len(won) == 1, outcomes
    assert all(isinstance(o, OfferAlreadyAccepted) for o in outcomes if not isinstance(o, int))
    assert Appointment.objects.filter(status=Status.BOOKED).count() == 1
    assert Slot.objects.get(pk=slot.pk).booked == 1
