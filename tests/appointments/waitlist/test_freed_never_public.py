"""A freed place goes to the waitlist in the transaction that frees it: never public in
between, not even for the moment until a worker runs the allocator (the fairness benchmark
found a bot polling every few seconds taking every place freed after the anti-trading delay).
No worker runs here: what only a task would do does not happen."""

import datetime as dt

import pytest

from appointments import booking, reconfirmation, tasks
from appointments.models import CancellationReason, Channel, Offer, Service, Slot, Status
from tests.appointments.waitlist.test_allocation import waiting_wish
from tests.factories import appointment, bookable_slot, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_worker(monkeypatch):
    asked = []
    monkeypatch.setattr("appointments.background.enqueue", lambda *args: asked.append(args))
    return asked


def free_places(slot):
    slot = Slot.objects.get(pk=slot.pk)
    return slot.capacity - slot.booked


def test_a_place_freed_after_the_anti_trading_delay_is_held_for_a_wish_at_once(
    clock, no_worker, django_capture_on_commit_callbacks
):
    service, _team, slot = bookable_slot(capacity=1)
    made = appointment(service=service, slot=slot)
    wish, _token = waiting_wish(service, 1)
    booking.cancel(appointment_id=made.pk, reason=CancellationReason.RESIDENT)
    clock.shift(dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.release_delayed_places() == 1
    offer = Offer.objects.get()
    assert offer.wish == wish and offer.appointment.status == Status.HELD
    assert free_places(slot) == 0  # held: a poller never saw it free


def test_without_a_wish_the_freed_place_is_public(clock, no_worker):
    service, _team, slot = bookable_slot(capacity=1)
    made = appointment(service=service, slot=slot)
    booking.cancel(appointment_id=made.pk, reason=CancellationReason.RESIDENT)
    clock.shift(dt.timedelta(hours=1))
    assert tasks.release_delayed_places() == 1
    assert free_places(slot) == 1 and not Offer.objects.exists()


def test_a_lapsed_hold_is_offered_to_a_wish_in_the_same_transaction(clock, no_worker):
    service, _team, slot = bookable_slot(capacity=1)
    booking.book(service=service, slot_id=slot.pk, person=person(0), channel=Channel.ONLINE)
    wish, _token = waiting_wish(service, 1)
    clock.shift(dt.timedelta(hours=2))
    assert tasks.expire_holds() == 1
    assert Offer.objects.get().wish == wish
    assert free_places(slot) == 0


def test_a_place_released_by_reconfirmation_is_offered_in_the_same_transaction(clock, no_worker):
    service, _team, slot = bookable_slot(capacity=1, days_ahead=10)
    Service.objects.filter(pk=service.pk).update(reconfirmation_days=3)
    made = appointment(service=service, slot=slot)
    wish, _token = waiting_wish(service, 1)
    visit = slot.start
    clock.move_to(visit - dt.timedelta(days=3) + dt.timedelta(minutes=5))
    assert reconfirmation.run()["requested"] == 1
    clock.move_to(visit - dt.timedelta(days=2) + dt.timedelta(minutes=10))
    assert reconfirmation.run()["reminded"] == 1
    clock.move_to(visit - dt.timedelta(hours=23, minutes=55))
    assert reconfirmation.run()["released"] == 1
    assert Offer.objects.get().wish == wish
    assert free_places(slot) == 0
    assert made.pk != Offer.objects.get().appointment_id


def test_a_cancelled_hold_is_offered_to_a_wish_before_it_is_public(clock, no_worker):
    service, _team, slot = bookable_slot(capacity=1)
    held, _token = booking.book(
        service=service, slot_id=slot.pk, person=person(0), channel=Channel.ONLINE
    )
    wish, _token = waiting_wish(service, 1)
    booking.cancel(appointment_id=held.pk, reason=CancellationReason.RESIDENT)
    assert free_places(slot) == 0  # not public: the sweeper offers it first
    assert tasks.release_delayed_places() == 1
    assert Offer.objects.get().wish == wish
    assert free_places(slot) == 0


def test_a_hold_moved_away_leaves_its_place_to_a_wish(clock, no_worker):
    service, team, slot = bookable_slot(capacity=1)
    _s, _t, other = bookable_slot(service=service, team=team, capacity=1, days_ahead=4)
    held, _token = booking.book(
        service=service, slot_id=slot.pk, person=person(0), channel=Channel.ONLINE
    )
    wish, _token = waiting_wish(service, 1)
    booking.reschedule(appointment_id=held.pk, slot_id=other.pk)
    assert free_places(slot) == 0
    assert tasks.release_delayed_places() == 1
    offer = Offer.objects.get()
    assert (offer.wish, offer.slot_id) == (wish, slot.pk)


def test_a_cancelled_hold_with_nobody_waiting_is_free_at_once(clock, no_worker):
    service, _team, slot = bookable_slot(capacity=1)
    held, _token = booking.book(
        service=service, slot_id=slot.pk, person=person(0), channel=Channel.ONLINE
    )
    booking.cancel(appointment_id=held.pk, reason=CancellationReason.RESIDENT)
    assert free_places(slot) == 1
