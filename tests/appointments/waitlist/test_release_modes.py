"""Release modes: in "allocation" a newly released day goes to the waitlist first (through the
allocator) and reaches the public calendar only after the offers' window; "first come" is
unchanged."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments import booking
from appointments.availability import available_days, withheld_days
from appointments.errors import SlotUnavailable
from appointments.models import (
    DayRelease,
    Event,
    Offer,
    OfferState,
    ReleaseMode,
    Service,
    Slot,
    Status,
)
from appointments.waitlist import allocation, release_modes
from tests.appointments.waitlist.test_allocation import waiting_wish
from tests.factories import bookable_slot, person, staff

pytestmark = pytest.mark.django_db

# The clock starts on Tuesday 10 November 2026, 10:30 (tests/conftest.py); the next morning's
# release at 07:00 opens 9 December (28 days ahead of 11 November).
RELEASED_DAY = dt.date(2026, 12, 9)


def at(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def allocation_service(capacity=2):
    """A service switched to allocation now, with a slot on the day released tomorrow."""
    service, team, slot = bookable_slot(capacity=capacity, start=at(RELEASED_DAY, 10))
    release_modes.configure_service(
        service_id=service.pk, release_mode=ReleaseMode.ALLOCATION, reconfirmation_days=0
    )
    return Service.objects.get(pk=service.pk), team, slot


def public_days(service, team, now):
    first = timezone.localdate(now)
    return [
        day
        for day, _slots in available_days(
            service=service, team=team, date_from=first, date_to=RELEASED_DAY, now=now
        )
    ]


def book_online(service, slot, n, now):
    return booking.book(
        service=service, slot_id=slot.pk, person=person(n), channel="online", now=now
    )


def test_release_in_allocation_mode_offers_the_new_day_to_the_top_ranked_wish_first(clock):
    service, team, slot = allocation_service(capacity=1)
    waiting_wish(service, 1)
    urgent, _ = waiting_wish(service, 2, permit_expires_on=timezone.localdate() + dt.timedelta(7))
    clock.move_to(at(dt.date(2026, 11, 11), 7, 5))
    now = timezone.now()
    assert RELEASED_DAY in withheld_days(service, team, now=now)  # not yet released: hidden

    assert release_modes.release_days(now=now) == 1
    offer = Offer.objects.get()
    assert offer.wish == urgent and offer.slot == slot and offer.appointment.status == Status.HELD
    assert Slot.objects.get(pk=slot.pk).booked == 1  # held with the guarded update
    release = DayRelease.objects.get()
    assert (release.day, release.offers, release.public_at) == (RELEASED_DAY, 1, offer.expires_at)
    assert Event.objects.filter(action="day.released").count() == 1


def test_the_public_calendar_shows_the_day_only_after_the_window_and_leftovers_are_public(clock):
    service, team, slot = allocation_service(capacity=2)
    waiting_wish(service, 1)
    clock.move_to(at(dt.date(2026, 11, 11), 7, 5))
    now = timezone.now()
    release_modes.release_days(now=now)
    assert RELEASED_DAY not in public_days(service, team, now)
    with pytest.raises(SlotUnavailable):
        book_online(service, slot, 9, now)  # the leftover place is not bookable yet

    later = DayRelease.objects.get().public_at + dt.timedelta(minutes=1)
    assert RELEASED_DAY in public_days(service, team, later)
    appointment, _token = book_online(service, slot, 9, later)  # the place no wish took
    assert appointment.status == Status.HELD and Slot.objects.get(pk=slot.pk).booked == 2


def test_a_day_no_wish_wants_is_public_at_the_release(clock):
    service, team, _slot = allocation_service()
    clock.move_to(at(dt.date(2026, 11, 11), 7, 5))
    now = timezone.now()
    assert release_modes.release_days(now=now) == 0
    assert DayRelease.objects.get().public_at == now
    assert RELEASED_DAY in public_days(service, team, now)


def test_running_the_release_twice_offers_once(clock):
    service, _team, _slot = allocation_service()
    waiting_wish(service, 1)
    waiting_wish(service, 2)
    clock.move_to(at(dt.date(2026, 11, 11), 7, 5))
    assert release_modes.release_days() == 2
    assert release_modes.release_days() == 0
    assert Offer.objects.count() == 2 and DayRelease.objects.count() == 1


def test_first_come_is_unchanged(clock):
    service, team, slot = bookable_slot(capacity=1, start=at(RELEASED_DAY, 10))
    waiting_wish(service, 1)
    clock.move_to(at(dt.date(2026, 11, 11), 7, 5))
    now = timezone.now()
    assert release_modes.release_days(now=now) == 0
    assert not DayRelease.objects.exists() and not Offer.objects.exists()
    assert RELEASED_DAY in public_days(service, team, now)
    book_online(service, slot, 9, now)


def test_days_released_before_the_switch_stay_public(clock):
    service, team, _slot = bookable_slot(start=at(dt.date(2026, 12, 8), 10))
    release_modes.configure_service(
        service_id=service.pk, release_mode=ReleaseMode.ALLOCATION, reconfirmation_days=0
    )
    service.refresh_from_db()
    assert dt.date(2026, 12, 8) in public_days(service, team, timezone.now())


def test_a_declined_offer_goes_to_the_next_wish_not_the_public(clock):
    service, _team, _slot = allocation_service(capacity=1)
    first, _ = waiting_wish(service, 1, permit_expires_on=timezone.localdate() + dt.timedelta(7))
    second, _ = waiting_wish(service, 2)
    clock.move_to(at(dt.date(2026, 11, 11), 7, 5))
    release_modes.release_days()
    offer = Offer.objects.get(wish=first)
    [following] = allocation.decline_offer(offer_id=offer.pk)
    assert following.wish == second and Offer.objects.get(pk=offer.pk).state == OfferState.DECLINED


def test_switching_the_mode_is_audited_with_the_waiting_count():
    service, _team, _slot = bookable_slot()
    waiting_wish(service, 1)
    supervisor = staff("supervisor")
    release_modes.configure_service(
        service_id=service.pk,
        release_mode=ReleaseMode.ALLOCATION,
        reconfirmation_days=3,
        actor=supervisor,
    )
    event = Event.objects.get(action="service.release_policy")
    assert event.actor == supervisor and event.data["waiting"] == 1
    assert event.data["release_mode"] == ["first_come", "allocation"]
    assert event.data["reconfirmation_days"] == [0, 3]
    service.refresh_from_db()
    assert service.release_mode_changed_at is not None and service.reconfirmation_days == 3
