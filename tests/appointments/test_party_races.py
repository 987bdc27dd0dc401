"""Group bookings under real concurrency (PostgreSQL): all places of a party or none."""

import datetime as dt

import pytest

from appointments import booking, parties
from appointments.errors import SlotFull
from appointments.models import PLACE_HOLDING_STATUSES, Appointment, Party
from tests.appointments.test_races import race
from tests.factories import bookable_slot, person


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_parties_never_split_and_never_overbook():
    service, _team, slot = bookable_slot(capacity=7)

    def book(i):
        household = [
            person(i, given_names=name, date_of_birth=dt.date(1980 + k, 1, 1),
                   email=f"family{i}@example.test" if k == 0 else "")
            for k, name in enumerate(["Ayşe", "Elif", "Can"])
        ]  # fmt: skip
        lead, _ = parties.book_party(
            service=service, slot_id=slot.pk, persons=household, channel="online"
        )
        return lead.pk

    outcomes = race(book, count=12)
    won = [o for o in outcomes if isinstance(o, int)]
    assert len(won) == 2, outcomes  # 2 × 3 places fit into 7; a third party would split
    assert all(isinstance(o, SlotFull) for o in outcomes if not isinstance(o, int)), outcomes
    slot.refresh_from_db()
    assert slot.booked == 6 == booking.place_holders(slot)
    assert slot.appointments.filter(status__in=PLACE_HOLDING_STATUSES).count() == 6
    assert Party.objects.count() == 2
    assert all(Appointment.objects.filter(party=p).count() == 3 for p in Party.objects.all())
