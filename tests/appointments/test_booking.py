"""Booking: hold, verify, limits, contingents, cancel (anti-trading delay), reschedule, expiry."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments import appointment_rows, booking
from appointments.codes import CODE_ALPHABET, hash_token, new_code, normalize_code
from appointments.errors import (
    HoldExpired,
    LimitReached,
    NotFound,
    NotResponsible,
    ServiceNotBookable,
    SlotFull,
    SlotUnavailable,
    TransitionNotAllowed,
)
from appointments.models import (
    Appointment,
    Case,
    Contingent,
    DelayedRelease,
    Event,
    OutboxMessage,
    ResponsibilityRule,
    Slot,
    Status,
)
from tests.factories import ServiceFactory, TeamFactory, bookable_slot, person, route_all

pytestmark = pytest.mark.django_db


def assert_slot_consistent(slot):
    slot.refresh_from_db()
    assert 0 <= slot.booked <= slot.capacity
    assert slot.booked == booking.place_holders(slot)


def test_an_online_booking_is_held_and_takes_a_place():
    service, _team, slot = bookable_slot(capacity=2)
    appointment, token = booking.book(
        service=service, slot_id=slot.pk, person=person(), channel="online"
    )
    assert appointment.status == Status.HELD
    assert appointment.hold_expires_at == appointment.held_at + dt.timedelta(minutes=30)
    assert len(appointment.code) == 8 and set(appointment.code) <= set(CODE_ALPHABET)
    assert appointment.token_hash == hash_token(token) and token not in appointment.token_hash
    assert len(token) >= 22  # ≥128 bits
    slot.refresh_from_db()
    assert slot.booked == 1
    assert Event.objects.filter(appointment=appointment, action="appointment.held").exists()


def test_verification_with_the_token_books_the_appointment():
    service, _team, slot = bookable_slot()
    appointment, token = booking.book(
        service=service, slot_id=slot.pk, person=person(), channel="online"
    )
    booked = booking.verify(code=appointment.code.lower(), token=token)
    assert booked.status == Status.BOOKED and booked.booked_at is not None
    assert booked.hold_expires_at is None
    assert booking.verify(code=appointment.code, token=token).status == Status.BOOKED  # twice


def test_a_wrong_token_or_code_is_the_same_not_found():
    service, _team, slot = bookable_slot()
    appointment, _token = booking.book(
        service=service, slot_id=slot.pk, person=person(), channel="online"
    )
    with pytest.raises(NotFound) as wrong_token:
        booking.verify(code=appointment.code, token="not-the-token")
    with pytest.raises(NotFound) as wrong_code:
        booking.verify(code="ZZZZZZZZ", token="whatever")
    assert str(wrong_token.value) == str(wrong_code.value)
    appointment.refresh_from_db()
    assert appointment.status == Status.HELD


def test_verification_after_the_hold_expired_is_refused():
    service, _team, slot = bookable_slot()
    appointment, token = booking.book(
        service=service, slot_id=slot.pk, person=person(), channel="online"
    )
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        with pytest.raises(HoldExpired):
            booking.verify(code=appointment.code, token=token)
        assert booking.expire_holds() == 1
    appointment.refresh_from_db()
    assert appointment.status == Status.EXPIRED
    assert_slot_consistent(slot)
    assert slot.booked == 0


def test_the_last_place_goes_to_one_booking_only():
    service, _team, slot = bookable_slot(capacity=1)
    booking.book(service=service, slot_id=slot.pk, person=person(1), channel="online")
    with pytest.raises(SlotFull):
        booking.book(service=service, slot_id=slot.pk, person=person(2), channel="online")
    assert Appointment.objects.count() == 1
    assert_slot_consistent(slot)


def test_online_bookings_cannot_take_internal_places_but_staff_can():
    service, _team, slot = bookable_slot(contingent=Contingent.INTERNAL)
    with pytest.raises(SlotFull):
        booking.book(service=service, slot_id=slot.pk, person=person(1), channel="online")
    appointment, _ = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="staff"
    )
    assert appointment.status == Status.BOOKED


def test_a_person_gets_one_active_appointment_per_service():
    service, _team, slot = bookable_slot(capacity=3)
    booking.book(service=service, slot_id=slot.pk, person=person(1), channel="online")
    # the same person with another spelling and a plus-alias of the same mailbox
    twin = person(1, surname="MUSTER1", email="Erika1+second@Example.test")
    with pytest.raises(LimitReached):
        booking.book(service=service, slot_id=slot.pk, person=twin, channel="online")
    assert_slot_consistent(slot)
    assert slot.booked == 1


def test_the_partial_unique_index_guards_the_person_even_without_e_mail():
    service, _team, slot = bookable_slot(capacity=3)
    walk_in = person(1, email="")
    booking.book(service=service, slot_id=slot.pk, person=walk_in, channel="walk_in")
    with pytest.raises(LimitReached):
        booking.book(service=service, slot_id=slot.pk, person=walk_in, channel="walk_in")
    assert_slot_consistent(slot)


def test_after_cancelling_the_person_may_book_again():
    service, _team, slot = bookable_slot(capacity=3)
    first, _ = booking.book(service=service, slot_id=slot.pk, person=person(1), channel="staff")
    booking.cancel(appointment_id=first.pk, reason="resident")
    second, _ = booking.book(service=service, slot_id=slot.pk, person=person(1), channel="staff")
    assert second.status == Status.BOOKED


def test_the_overall_e_mail_limit_counts_all_services(settings):
    settings.MAX_ACTIVE_APPOINTMENTS_PER_EMAIL = 1
    service, team, slot = bookable_slot(capacity=3)
    other_service, _team, other_slot = bookable_slot(team=team, capacity=3)
    booking.book(service=service, slot_id=slot.pk, person=person(1), channel="online")
    with pytest.raises(LimitReached):
        booking.book(
            service=other_service,
            slot_id=other_slot.pk,
            person=person(2, email="erika1@example.test"),
            channel="online",
        )


def test_cancellation_frees_the_place_only_after_the_anti_trading_delay():
    service, _team, slot = bookable_slot(capacity=1)
    appointment, token = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="online"
    )
    booking.verify(code=appointment.code, token=token)
    now = timezone.now()
    booking.cancel(appointment_id=appointment.pk, reason="resident", now=now)
    assert_slot_consistent(slot)
    assert slot.booked == 1  # still blocked: a broker cannot hand the place over
    with pytest.raises(SlotFull):
        booking.book(service=service, slot_id=slot.pk, person=person(2), channel="online")
    assert booking.release_delayed_places(now=now + dt.timedelta(minutes=29)) == 0
    assert booking.release_delayed_places(now=now + dt.timedelta(minutes=30)) == 1
    assert_slot_consistent(slot)
    assert slot.booked == 0
    assert not DelayedRelease.objects.exists()


def test_cancelling_twice_is_refused():
    service, _team, slot = bookable_slot()
    appointment, _ = booking.book(
        service=service, slot_id=slot.pk, person=person(), channel="staff"
    )
    booking.cancel(appointment_id=appointment.pk, reason="resident")
    with pytest.raises(TransitionNotAllowed):
        booking.cancel(appointment_id=appointment.pk, reason="resident")
    assert_slot_consistent(slot)


def test_reschedule_moves_the_place_in_one_step():
    service, team, slot = bookable_slot(capacity=1)
    _s, _t, later = bookable_slot(service=service, team=team, capacity=1, days_ahead=5)
    appointment, token = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="online"
    )
    booking.verify(code=appointment.code, token=token)
    moved = booking.reschedule(appointment_id=appointment.pk, slot_id=later.pk)
    assert moved.slot_id == later.pk and moved.status == Status.BOOKED
    assert_slot_consistent(slot)
    assert_slot_consistent(later)
    assert later.booked == 1 and slot.booked == 1  # old place waits for the delay
    assert Event.objects.filter(action="appointment.rescheduled").count() == 1


def test_reschedule_into_a_full_slot_changes_nothing():
    service, team, slot = bookable_slot(capacity=1)
    _s, _t, full = bookable_slot(service=service, team=team, capacity=1, days_ahead=5)
    booking.book(service=service, slot_id=full.pk, person=person(2), channel="staff")
    appointment, _ = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="staff"
    )
    with pytest.raises(SlotFull):
        booking.reschedule(appointment_id=appointment.pk, slot_id=full.pk)
    appointment.refresh_from_db()
    assert appointment.slot_id == slot.pk
    assert_slot_consistent(slot)
    assert_slot_consistent(full)


def test_a_slot_of_another_team_or_service_is_refused():
    service, _team, _slot = bookable_slot()
    _other_service, _other_team, foreign_slot = bookable_slot()
    with pytest.raises(SlotUnavailable):
        booking.book(service=service, slot_id=foreign_slot.pk, person=person(), channel="staff")
    with pytest.raises(SlotUnavailable):
        booking.book(service=service, slot_id=999_999, person=person(), channel="staff")
    assert not Appointment.objects.exists()


def test_online_booking_respects_the_release_window():
    service, _team, slot = bookable_slot(days_ahead=40)
    with pytest.raises(SlotUnavailable):
        booking.book(service=service, slot_id=slot.pk, person=person(), channel="online")
    appointment, _ = booking.book(
        service=service, slot_id=slot.pk, person=person(), channel="staff"
    )
    assert appointment.status == Status.BOOKED


def test_services_not_bookable_online_are_refused_online_only():
    service, _team, slot = bookable_slot()
    service.bookable_online = False
    service.save()
    with pytest.raises(ServiceNotBookable):
        booking.book(service=service, slot_id=slot.pk, person=person(), channel="online")
    booking.book(service=service, slot_id=slot.pk, person=person(), channel="staff")


def test_the_responsible_team_follows_letters_and_nationality():
    service = ServiceFactory()
    a_to_k, l_to_z, ukraine = TeamFactory(), TeamFactory(), TeamFactory()
    ResponsibilityRule.objects.create(service=service, team=a_to_k, letter_from="A", letter_to="K")
    ResponsibilityRule.objects.create(service=service, team=l_to_z, letter_from="L", letter_to="Z")
    ResponsibilityRule.objects.create(service=service, team=ukraine, nationalities=["UA"])
    from appointments.responsibility import responsible_team

    assert responsible_team(service=service, surname="Kaya", nationality="TR") == a_to_k
    assert responsible_team(service=service, surname="von Lüders", nationality="DE") == l_to_z
    assert responsible_team(service=service, surname="Ænes", nationality="NO") == a_to_k
    assert responsible_team(service=service, surname="Kovalenko", nationality="UA") == ukraine
    with pytest.raises(NotResponsible):
        responsible_team(service=ServiceFactory(), surname="Kaya", nationality="TR")


def test_booking_a_slot_of_the_wrong_letter_team_is_refused():
    service = ServiceFactory()
    a_to_k, l_to_z = TeamFactory(), TeamFactory()
    ResponsibilityRule.objects.create(service=service, team=a_to_k, letter_from="A", letter_to="K")
    ResponsibilityRule.objects.create(service=service, team=l_to_z, letter_from="L", letter_to="Z")
    _s, _t, slot = bookable_slot(service=service, team=l_to_z)
    with pytest.raises(SlotUnavailable):
        booking.book(
            service=service, slot_id=slot.pk, person=person(surname="Kaya"), channel="online"
        )
    assert Slot.objects.get(pk=slot.pk).booked == 0


def test_booking_codes_are_unique_and_unambiguous():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert not set("".join(codes)) & set("01IOL")
    assert normalize_code(" ab2c-d3ef ") == "AB2CD3EF"


def test_a_drawn_code_that_is_taken_is_drawn_again(monkeypatch):
    # Codes are not looked up before the insert: the unique index refuses a taken one and
    # the booking draws another (and still refuses a person who holds one already).
    service, _team, slot = bookable_slot(capacity=3)
    first, _token = booking.book(
        service=service, slot_id=slot.pk, person=person(given_names="Ana"), channel="online"
    )
    drawn = iter([first.code, first.code, "ABCDEFGH"])
    # inside the test's transaction the row's module draws the code (and draws again)
    monkeypatch.setattr(appointment_rows, "new_code", lambda: next(drawn))
    second, _token = booking.book(
        service=service, slot_id=slot.pk, person=person(given_names="Bea"), channel="online"
    )
    assert second.code == "ABCDEFGH"
    drawn = iter(["ABCDEFGJ"])
    with pytest.raises(LimitReached):
        booking.book(
            service=service, slot_id=slot.pk, person=person(given_names="Bea"), channel="staff"
        )
    assert_slot_consistent(slot)
    assert slot.booked == 2


@pytest.mark.django_db(transaction=True)
def test_a_booking_alone_inserts_without_a_savepoint_and_repeats_itself_for_a_taken_code(
    monkeypatch,
):
    # A request's booking is its own transaction: the appointment goes in without a
    # savepoint; a taken code rolls the whole booking back and it is made again, with one
    # place, one case, one event and one message.
    service, _team, slot = bookable_slot(capacity=3)
    first, _token = booking.book(
        service=service, slot_id=slot.pk, person=person(given_names="Ana"), channel="online"
    )
    drawn = iter([first.code, first.code, "ABCDEFGH"])
    monkeypatch.setattr(booking, "new_code", lambda: next(drawn))
    with CaptureQueriesContext(connection) as queries:
        second, _token = booking.book(
            service=service, slot_id=slot.pk, person=person(given_names="Bea"), channel="online"
        )
    assert second.code == "ABCDEFGH"
    assert not [q["sql"] for q in queries if "SAVEPOINT" in q["sql"].upper()]
    assert_slot_consistent(slot)
    assert slot.booked == 2
    assert Appointment.objects.count() == Case.objects.count() == 2
    assert Event.objects.filter(appointment=second).count() == 1
    assert OutboxMessage.objects.filter(appointment=second).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_booking_alone_refused_by_the_one_active_per_person_index_takes_nothing():
    # Without an e-mail address no mailbox lock or count runs: the partial unique index
    # refuses the same person's second appointment, and the rolled-back booking keeps
    # neither the place nor a case.
    service, _team, slot = bookable_slot(capacity=3, contingent=Contingent.ONLINE)
    someone = person(email="")
    booking.book(service=service, slot_id=slot.pk, person=someone, channel="staff")
    with pytest.raises(LimitReached):
        booking.book(service=service, slot_id=slot.pk, person=someone, channel="staff")
    assert_slot_consistent(slot)
    assert slot.booked == 1
    assert Appointment.objects.count() == Case.objects.count() == 1


def test_a_booking_inside_a_callers_transaction_keeps_its_savepoint():
    # Inside a caller's transaction a refused insert must not break the caller's work:
    # the insert is wrapped in a savepoint as before.
    service, _team, slot = bookable_slot(capacity=3)
    with CaptureQueriesContext(connection) as queries:
        booking.book(service=service, slot_id=slot.pk, person=person(), channel="online")
    assert [q["sql"] for q in queries if "SAVEPOINT" in q["sql"].upper()]


def test_routing_survives_all_rules_of_one_service():
    service, team = ServiceFactory(), TeamFactory()
    route_all(service, team)
    from appointments.responsibility import coverage_problems

    assert coverage_problems(list(ResponsibilityRule.objects.filter(service=service))) == []
