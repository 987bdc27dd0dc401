"""The allocator: a freed place is held for the best-ranked matching wish with the booking's
own place-taking update; accept books like a booking, decline and expiry move the place on."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments import booking
from appointments.errors import OfferAlreadyAccepted, OfferExpired
from appointments.models import (
    Appointment,
    CancellationReason,
    DayPart,
    Event,
    Offer,
    OfferState,
    OutboxMessage,
    Slot,
    Status,
    UrgencyReason,
    Wish,
    WishState,
)
from appointments.waitlist import allocation, ranking, wishes
from tests.factories import appointment, bookable_slot, person

pytestmark = pytest.mark.django_db


def waiting_wish(service, n=0, *, now=None, **options):
    """A registered and confirmed wish of person n."""
    preferences = options.pop("preferences", None)
    _wish, token = wishes.register_wish(
        service=service,
        person=person(n, surname=f"Warte{n}", email=f"w{n}@example.test"),
        preferences=preferences,
        now=now,
        **options,
    )
    return wishes.confirm_wish(token=token, now=now), token


def booked_of(slot):
    return Slot.objects.values_list("booked", flat=True).get(pk=slot.pk)


def test_a_freed_place_is_held_for_the_wish_and_offered_by_mail():
    service, _team, slot = bookable_slot(capacity=1)
    wish, _token = waiting_wish(service)
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)
    assert offer.wish == wish and offer.state == OfferState.OPEN
    held = offer.appointment
    assert (held.status, held.slot_id, held.surname) == (Status.HELD, slot.pk, wish.surname)
    assert booked_of(slot) == 1  # taken with the guarded update
    assert Wish.objects.get(pk=wish.pk).state == WishState.OFFERED
    assert offer.expires_at - offer.offered_at == dt.timedelta(hours=24)
    mail = OutboxMessage.objects.get(kind="wish_offer")
    assert mail.recipient == wish.email and f"/angebot/{offer.pk}/?s=" in mail.text_body
    event = Event.objects.get(action="offer.open")
    assert event.data["wish"] == wish.pk and event.data["lottery_seed"] == wish.lottery_seed


def test_running_the_allocator_twice_offers_once():
    service, _team, slot = bookable_slot(capacity=1)
    waiting_wish(service)
    waiting_wish(service, 1)
    assert len(allocation.offer_freed_place(slot_id=slot.pk)) == 1
    assert allocation.offer_freed_place(slot_id=slot.pk) == []
    assert Offer.objects.count() == 1 and booked_of(slot) == 1


def test_two_free_places_and_one_wish_give_one_offer_and_the_other_stays_public():
    service, _team, slot = bookable_slot(capacity=2)
    waiting_wish(service)
    assert len(allocation.offer_freed_place(slot_id=slot.pk)) == 1
    assert booked_of(slot) == 1


def test_no_matching_wish_leaves_the_place_public():
    service, _team, slot = bookable_slot(capacity=1, hour=10)
    waiting_wish(service, preferences=wishes.Preferences(day_part=DayPart.AFTERNOON))
    assert allocation.offer_freed_place(slot_id=slot.pk) == []
    assert booked_of(slot) == 0 and not Appointment.objects.exists()


def test_weekday_and_date_preferences_are_respected():
    service, _team, slot = bookable_slot(capacity=1)
    other_day = str((timezone.localdate(slot.start).weekday() + 1) % 5)
    waiting_wish(service, preferences=wishes.Preferences(weekdays=other_day))
    late = timezone.localdate(slot.start) + dt.timedelta(days=1)
    waiting_wish(service, 1, preferences=wishes.Preferences(earliest_date=late))
    assert allocation.offer_freed_place(slot_id=slot.pk) == []


def test_an_urgent_permit_comes_before_an_earlier_registration_and_reasons_before_none():
    service, _team, slot = bookable_slot(capacity=3)
    early = timezone.now() - dt.timedelta(days=30)
    first, _ = waiting_wish(service, 0, now=early)
    by_reason, _ = waiting_wish(service, 1, urgency_reason=UrgencyReason.JOB_START)
    soon = timezone.localdate() + dt.timedelta(days=20)
    by_expiry, _ = waiting_wish(service, 2, permit_expires_on=soon)
    offers = allocation.offer_freed_place(slot_id=slot.pk)
    assert [o.wish_id for o in offers] == [by_expiry.pk, by_reason.pk, first.pk]


def test_a_far_permit_expiry_is_not_urgent():
    service, _team, slot = bookable_slot(capacity=1)
    first, _ = waiting_wish(service, 0, now=timezone.now() - dt.timedelta(days=2))
    waiting_wish(service, 1, permit_expires_on=timezone.localdate() + dt.timedelta(days=300))
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)
    assert offer.wish_id == first.pk


def test_the_same_day_is_decided_by_the_logged_lottery_not_the_click():
    service, _team, slot = bookable_slot(capacity=1)
    wishes_of_the_day = [waiting_wish(service, n)[0] for n in range(4)]
    winner = min(wishes_of_the_day, key=lambda w: (w.lottery_ticket, w.pk))
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)
    assert offer.wish_id == winner.pk
    data = Event.objects.get(action="offer.open").data
    assert sorted(data["lottery_tied"]) == sorted(
        [w.pk, w.lottery_ticket] for w in wishes_of_the_day
    )
    confirmed = Event.objects.get(action="wish.active", data__wish=winner.pk).data
    assert confirmed["lottery_ticket"] == winner.lottery_ticket


def test_accepting_books_like_a_booking_with_confirmation_and_ics():
    service, _team, slot = bookable_slot(capacity=1)
    wish, _ = waiting_wish(service)
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)
    booked, token = allocation.accept_offer(offer_id=offer.pk)
    assert booked.status == Status.BOOKED and booked.hold_expires_at is None
    assert booking.find_by_code_and_token(code=booked.code, token=token) == booked
    mail = OutboxMessage.objects.get(kind="confirmation", appointment=booked)
    assert mail.attachments[0]["filename"].endswith(".ics")
    assert Wish.objects.get(pk=wish.pk).state == WishState.BOOKED
    assert Offer.objects.get(pk=offer.pk).state == OfferState.ACCEPTED
    with pytest.raises(OfferAlreadyAccepted):
        allocation.accept_offer(offer_id=offer.pk)
    assert Appointment.objects.filter(status=Status.BOOKED).count() == 1
    assert booked_of(slot) == 1


def test_accepting_after_the_window_is_refused_with_a_clear_message():
    service, _team, slot = bookable_slot(capacity=1)
    waiting_wish(service)
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)
    with pytest.raises(OfferExpired) as refused:
        allocation.accept_offer(offer_id=offer.pk, now=offer.expires_at)
    assert refused.value.message == OfferExpired.default_message  # "… has run out …"
    assert Appointment.objects.get().status == Status.HELD


def test_declining_gives_the_place_to_the_next_wish_and_the_first_waits_on():
    service, _team, slot = bookable_slot(capacity=1)
    first, _ = waiting_wish(service, 0, now=timezone.now() - dt.timedelta(days=3))
    second, _ = waiting_wish(service, 1)
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)
    assert offer.wish_id == first.pk
    [follow] = allocation.decline_offer(offer_id=offer.pk)
    assert follow.wish_id == second.pk and booked_of(slot) == 1
    assert Wish.objects.get(pk=first.pk).state == WishState.ACTIVE
    held = Appointment.objects.get(pk=offer.appointment_id)
    assert (held.status, held.cancellation_reason) == (
        Status.CANCELLED,
        CancellationReason.RESIDENT,
    )
    # the first wish is never offered the same place again
    allocation.decline_offer(offer_id=follow.pk)
    assert booked_of(slot) == 0


def test_an_unanswered_offer_expires_and_the_third_pauses_the_wish_with_a_mail():
    service, _team, slot = bookable_slot(capacity=1)
    wish, _ = waiting_wish(service)
    Wish.objects.filter(pk=wish.pk).update(expired_offers=2)
    other, _ = waiting_wish(service, 1)
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)
    assert offer.wish_id in (wish.pk, other.pk)
    Wish.objects.filter(pk=offer.wish_id).update(expired_offers=2)
    assert allocation.expire_offers(now=offer.expires_at) == 1
    paused = Wish.objects.get(pk=offer.wish_id)
    assert (paused.state, paused.expired_offers) == (WishState.PAUSED, 3)
    assert OutboxMessage.objects.filter(kind="wish_paused", recipient=paused.email).exists()
    assert Offer.objects.get(state=OfferState.OPEN).wish_id != paused.pk  # the next one
    assert booked_of(slot) == 1


def test_an_expired_offer_lets_the_wish_wait_again_below_the_limit():
    service, _team, slot = bookable_slot(capacity=1)
    wish, _ = waiting_wish(service)
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)
    allocation.expire_offers(now=offer.expires_at)
    wish.refresh_from_db()
    assert (wish.state, wish.expired_offers) == (WishState.ACTIVE, 1)
    assert booked_of(slot) == 0  # nobody else waits: public again
    assert Appointment.objects.get().status == Status.EXPIRED


def test_the_bookings_hold_sweeper_never_frees_an_offered_place_before_the_offer_ends():
    service, _team, slot = bookable_slot(capacity=1)
    waiting_wish(service)
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)
    assert booking.expire_holds(now=offer.expires_at) == 0


def test_withdrawing_an_offered_wish_ends_the_offer_and_frees_the_place():
    service, _team, slot = bookable_slot(capacity=1)
    wish, _ = waiting_wish(service)
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)
    wishes.withdraw_wish(wish_id=wish.pk)
    assert Offer.objects.get(pk=offer.pk).state == OfferState.WITHDRAWN
    assert Wish.objects.get(pk=wish.pk).state == WishState.WITHDRAWN
    assert booked_of(slot) == 0


def test_the_answer_window_is_shorter_when_the_appointment_is_near_and_none_when_too_near():
    now = timezone.now()
    assert allocation.answer_window(now + dt.timedelta(hours=10), now=now) == dt.timedelta(hours=5)
    assert allocation.answer_window(now + dt.timedelta(minutes=90), now=now) is None


def test_a_person_with_an_appointment_is_skipped_for_the_next():
    service, _team, slot = bookable_slot(capacity=2)
    first, _ = waiting_wish(service, 0, now=timezone.now() - dt.timedelta(days=2))
    second, _ = waiting_wish(service, 1)
    # the first booked meanwhile (the wish still waits: the person holds an appointment)
    booking.book(
        service=service,
        slot_id=slot.pk,
        person=person(0, surname=first.surname, email="x@example.test"),
        channel="staff",
    )
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)
    assert offer.wish_id == second.pk


def test_a_cancellation_after_the_anti_trading_delay_enqueues_the_allocator(
    django_capture_on_commit_callbacks, monkeypatch
):
    service, _team, slot = bookable_slot(capacity=1)
    made = appointment(service=service, slot=slot)
    booking.cancel(appointment_id=made.pk, reason=CancellationReason.RESIDENT)
    sent = []
    monkeypatch.setattr("appointments.background.enqueue", lambda *a: sent.append(a))
    later = timezone.now() + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert booking.release_delayed_places(now=later) == 1
    assert ("appointments.tasks.offer_freed_places", [slot.pk]) in sent


def test_position_bands():
    service, _team, _slot = bookable_slot(capacity=1)
    made = [waiting_wish(service, n)[0] for n in range(7)]
    bands = sorted(ranking.position_band(w) for w in made)
    assert bands == [5] * 5 + [20] * 2
    pending, _ = wishes.register_wish(service=service, person=person(9, email="p@example.test"))
    assert ranking.position_band(pending) is None


def test_an_offer_whose_held_place_the_office_closed_is_withdrawn_and_the_wish_waits_again():
    service, _team, slot = bookable_slot(capacity=1)
    wish, _ = waiting_wish(service)
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)
    booking.cancel_for_closure(slot_ids=[slot.pk])
    assert allocation.expire_offers() == 1
    assert Offer.objects.get(pk=offer.pk).state == OfferState.WITHDRAWN
    assert Wish.objects.get(pk=wish.pk).state == WishState.ACTIVE
