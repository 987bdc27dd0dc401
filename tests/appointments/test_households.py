"""A family shares one mailbox: different persons are not blocked, one person stays one."""

import datetime as dt

import pytest

from appointments import booking
from appointments.errors import LimitReached
from appointments.models import Appointment
from tests.factories import bookable_slot, person

pytestmark = pytest.mark.django_db


def test_a_child_sharing_the_parents_mailbox_can_book_the_same_concern():
    """The defect of issue 17: the child got "You already have an appointment"."""
    service, _team, slot = bookable_slot(capacity=3)
    mother = person(1, given_names="Ayşe", email="family@example.test")
    child = person(1, given_names="Elif", date_of_birth=dt.date(2012, 5, 3),
                   email="family@example.test")  # fmt: skip
    booking.book(service=service, slot_id=slot.pk, person=mother, channel="online")
    booked, _token = booking.book(service=service, slot_id=slot.pk, person=child, channel="online")
    assert booked.given_names == "Elif"
    assert Appointment.objects.filter(email_key="family@example.test").count() == 2


def test_twins_with_the_same_birth_date_are_two_persons():
    service, _team, slot = bookable_slot(capacity=3)
    booking.book(service=service, slot_id=slot.pk, person=person(1, given_names="Can"),
                 channel="staff")  # fmt: skip
    booking.book(service=service, slot_id=slot.pk, person=person(1, given_names="Cem"),
                 channel="staff")  # fmt: skip
    assert Appointment.objects.count() == 2


def test_the_same_person_still_gets_one_active_appointment_per_service():
    service, _team, slot = bookable_slot(capacity=3)
    booking.book(service=service, slot_id=slot.pk, person=person(1), channel="online")
    again = person(1, given_names=" erika ", email="ERIKA1+x@example.test")
    with pytest.raises(LimitReached) as raised:
        booking.book(service=service, slot_id=slot.pk, person=again, channel="online")
    assert raised.value.message == LimitReached.default_message


def test_a_mailbox_cannot_hoard_places(settings):
    settings.MAX_ACTIVE_APPOINTMENTS_PER_EMAIL_AND_SERVICE = 2
    service, _team, slot = bookable_slot(capacity=5)
    for given in ("Anna", "Berta"):
        booking.book(service=service, slot_id=slot.pk,
                     person=person(1, given_names=given), channel="online")  # fmt: skip
    with pytest.raises(LimitReached) as raised:
        booking.book(service=service, slot_id=slot.pk,
                     person=person(1, given_names="Clara"), channel="online")  # fmt: skip
    assert raised.value.message != LimitReached.default_message  # the mailbox's cap
    slot.refresh_from_db()
    assert slot.booked == 2
