"""Group bookings: all or nothing, limits, one verification, cancel/move and check-in of a party."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments import booking, parties, recovery, retention
from appointments.errors import (
    LimitReached,
    NotFound,
    PartyNotPossible,
    SlotFull,
    SlotUnavailable,
)
from appointments.models import (
    Appointment,
    Event,
    OutboxMessage,
    Party,
    PartyMode,
    Slot,
    Status,
)
from tests.factories import bookable_slot, person
from tests.mails import written

pytestmark = pytest.mark.django_db


def family(count=3, **booker):
    """The booker (with mailbox and needs) and `count - 1` children with names and birth dates."""
    head = person(1, given_names="Ayşe", email="family@example.test", **booker)
    children = [
        person(1, given_names=name, date_of_birth=dt.date(2010 + i, 3, 1), email="")
        for i, name in enumerate(["Elif", "Can", "Deniz", "Emre", "Fatma"][: count - 1])
    ]
    return [head, *children]


def consistent(slot):
    slot.refresh_from_db()
    assert 0 <= slot.booked <= slot.capacity
    assert slot.booked == booking.place_holders(slot)
    return slot.booked


def test_a_party_takes_one_place_per_person_and_each_person_has_an_own_appointment():
    service, _team, slot = bookable_slot(capacity=4)
    lead, token = parties.book_party(
        service=service, slot_id=slot.pk, persons=family(3), channel="online"
    )
    group = parties.members(lead)
    assert [m.given_names for m in group] == ["Ayşe", "Elif", "Can"]
    assert len({m.case_id for m in group}) == 3  # each keeps their own case
    assert len({m.code for m in group}) == 3
    assert {m.status for m in group} == {Status.HELD}
    assert {m.email for m in group} == {"family@example.test"}
    assert Party.objects.get().lead == lead and lead.party.size == 3
    assert consistent(slot) == 3
    # one manage link: the booker's token opens every person's appointment
    assert booking.find_by_code_and_token(code=group[2].code, token=token) == group[2]
    # one verification mail to the booker, listing every person
    mail = written(OutboxMessage.objects.get())
    assert mail.kind == "verification" and mail.appointment == lead
    assert "Elif" in mail.text_body and "Can" in mail.text_body
    assert Event.objects.filter(action="party.booked", appointment=lead).exists()


def test_one_verification_books_the_whole_party():
    service, _team, slot = bookable_slot(capacity=4)
    lead, token = parties.book_party(
        service=service, slot_id=slot.pk, persons=family(3), channel="online"
    )
    booking.verify(code=lead.code, token=token)
    assert set(Appointment.objects.values_list("status", flat=True)) == {Status.BOOKED}
    assert OutboxMessage.objects.filter(kind="confirmation").count() == 1


def test_a_party_is_all_or_nothing_when_places_are_missing():
    service, _team, slot = bookable_slot(capacity=3)
    booking.book(service=service, slot_id=slot.pk, person=person(9), channel="online")
    with pytest.raises(SlotFull):
        parties.book_party(service=service, slot_id=slot.pk, persons=family(3), channel="online")
    assert consistent(slot) == 1
    assert Appointment.objects.count() == 1 and not Party.objects.exists()


def test_a_party_in_consecutive_slots_takes_one_place_in_each():
    service, team, slot = bookable_slot(capacity=1)
    service.party_mode = PartyMode.CONSECUTIVE
    service.save()
    second = Slot.objects.create(team=team, rule=slot.rule, start=slot.end,
                                 end=slot.end + dt.timedelta(minutes=20), capacity=1,
                                 contingent=slot.contingent)  # fmt: skip
    lead, _token = parties.book_party(
        service=service, slot_id=slot.pk, persons=family(2), channel="online"
    )
    assert [m.slot_id for m in parties.members(lead)] == [slot.pk, second.pk]
    assert consistent(slot) == 1 and consistent(second) == 1


def test_consecutive_slots_must_all_be_free_or_nothing_is_taken():
    service, team, slot = bookable_slot(capacity=1)
    service.party_mode = PartyMode.CONSECUTIVE
    service.save()
    second = Slot.objects.create(team=team, rule=slot.rule, start=slot.end,
                                 end=slot.end + dt.timedelta(minutes=20), capacity=1,
                                 contingent=slot.contingent)  # fmt: skip
    with pytest.raises(SlotUnavailable):
        parties.book_party(service=service, slot_id=slot.pk, persons=family(3), channel="online")
    booking.book(service=service, slot_id=second.pk, person=person(9), channel="staff")
    with pytest.raises(SlotFull):
        parties.book_party(service=service, slot_id=slot.pk, persons=family(2), channel="online")
    assert consistent(slot) == 0 and consistent(second) == 1


def test_party_size_and_service_policy(settings):
    settings.PARTY_MAX_PERSONS = 2
    service, _team, slot = bookable_slot(capacity=5)
    with pytest.raises(PartyNotPossible):
        parties.book_party(service=service, slot_id=slot.pk, persons=family(3), channel="online")
    service.party_mode = PartyMode.NONE
    service.save()
    with pytest.raises(PartyNotPossible):
        parties.book_party(service=service, slot_id=slot.pk, persons=family(2), channel="online")
    twice = [family(2)[0], family(2)[0]]
    service.party_mode = PartyMode.PLACES
    service.save()
    with pytest.raises(PartyNotPossible):
        parties.book_party(service=service, slot_id=slot.pk, persons=twice, channel="online")
    assert consistent(slot) == 0


def test_a_party_keeps_one_active_appointment_per_person_and_the_mailbox_cap(settings):
    service, _team, slot = bookable_slot(capacity=5)
    elif_ = person(1, given_names="Elif", date_of_birth=dt.date(2010, 3, 1),
                   email="family@example.test")  # fmt: skip
    booking.book(service=service, slot_id=slot.pk, person=elif_, channel="online")
    with pytest.raises(LimitReached):  # Elif already has one
        parties.book_party(service=service, slot_id=slot.pk, persons=family(2), channel="online")
    settings.MAX_ACTIVE_APPOINTMENTS_PER_EMAIL_AND_SERVICE = 3
    with pytest.raises(LimitReached):  # 1 + 3 persons > 3 for the mailbox
        parties.book_party(service=service, slot_id=slot.pk,
                           persons=[family(1)[0], person(2, email=""), person(3, email="")],
                           channel="online")  # fmt: skip
    assert consistent(slot) == 1


def test_cancelling_from_the_manage_link_cancels_the_party_with_one_mail():
    service, _team, slot = bookable_slot(capacity=4)
    lead, _token = parties.book_party(
        service=service, slot_id=slot.pk, persons=family(3), channel="staff"
    )
    OutboxMessage.objects.all().delete()
    parties.cancel_party(appointment_id=lead.pk, reason="resident")
    assert set(Appointment.objects.values_list("status", flat=True)) == {Status.CANCELLED}
    assert OutboxMessage.objects.get().kind == "cancellation"
    assert consistent(slot) == 3  # anti-trading delay, for every place


def test_moving_a_party_needs_places_for_all():
    service, team, slot = bookable_slot(capacity=4)
    lead, token = parties.book_party(
        service=service, slot_id=slot.pk, persons=family(3), channel="staff"
    )
    _s, _t, small = bookable_slot(service=service, team=team, capacity=2, hour=11)
    with pytest.raises(SlotFull):
        parties.move_party(appointment_id=lead.pk, slot_id=small.pk, token=token)
    assert set(Appointment.objects.values_list("slot_id", flat=True)) == {slot.pk}
    _s, _t, large = bookable_slot(service=service, team=team, capacity=3, hour=12)
    parties.move_party(appointment_id=lead.pk, slot_id=large.pk, token=token)
    assert set(Appointment.objects.values_list("slot_id", flat=True)) == {large.pk}
    assert consistent(large) == 3 and consistent(small) == 0 and consistent(slot) == 3
    assert OutboxMessage.objects.filter(kind="reschedule").count() == 1


def test_reception_checks_the_party_in_at_once_with_one_waiting_number():
    service, _team, slot = bookable_slot(capacity=4, days_ahead=0, hour=11)
    lead, _token = parties.book_party(
        service=service, slot_id=slot.pk, persons=family(3), channel="staff",
        now=slot.start - dt.timedelta(days=1),
    )  # fmt: skip
    child = parties.members(lead)[1]
    now = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(10, 55)))
    first = parties.check_in_party(appointment_id=child.pk, now=now)
    assert first.pk == lead.pk
    group = parties.members(lead)
    assert {m.status for m in group} == {Status.CHECKED_IN}
    assert len({m.waiting_number for m in group}) == 1 and first.waiting_number


def test_the_note_on_needs_is_pseudonymised_with_the_appointment_the_ticks_stay(settings):
    service, _team, slot = bookable_slot(capacity=4)
    lead, _token = parties.book_party(
        service=service, slot_id=slot.pk, persons=family(2, needs_wheelchair=True,
        needs_note="Rollstuhl, bitte Erdgeschoss"), channel="staff",
    )  # fmt: skip
    parties.cancel_party(appointment_id=lead.pk, reason="resident")
    later = slot.end + dt.timedelta(days=settings.RETENTION_APPOINTMENT_DAYS + 2)
    assert retention.apply_retention(now=later)["appointments"] == 2
    for row in Appointment.objects.all():
        assert row.needs_note == "" and row.given_names_key == "" and row.needs_wheelchair


def test_when_staff_cancelled_the_booker_alone_the_others_are_still_checked_in_together():
    service, _team, slot = bookable_slot(capacity=4, days_ahead=0, hour=11)
    lead, _token = parties.book_party(
        service=service, slot_id=slot.pk, persons=family(3), channel="staff",
        now=slot.start - dt.timedelta(days=1),
    )  # fmt: skip
    booking.cancel(appointment_id=lead.pk, reason="staff")
    child, other = parties.members(lead)[1:]
    now = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(10, 55)))
    first = parties.check_in_party(appointment_id=other.pk, now=now)
    child.refresh_from_db()
    assert first.pk == other.pk and child.status == Status.CHECKED_IN
    assert child.waiting_number == first.waiting_number


def test_find_my_appointment_for_a_party_renews_the_one_link_of_all_persons():
    service, _team, slot = bookable_slot(capacity=4)
    lead, old = parties.book_party(
        service=service, slot_id=slot.pk, persons=family(2), channel="staff"
    )
    child = parties.members(lead)[1]
    message = recovery.resend_manage_link(
        code=child.code, date_of_birth=child.date_of_birth, email="family@example.test"
    )
    assert message is not None and message.appointment_id == lead.pk  # the booker's mail
    assert len(set(Appointment.objects.values_list("token_hash", flat=True))) == 1
    with pytest.raises(NotFound):
        booking.find_by_code_and_token(code=child.code, token=old)
