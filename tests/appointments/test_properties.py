"""Property test: any sequence of book/verify/cancel/expire/release/reschedule keeps every slot
consistent: 0 <= booked <= capacity and booked == place-holding appointments + delayed releases."""

import contextlib
import datetime as dt
import itertools

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from appointments import booking
from appointments.errors import BookingError
from appointments.models import Appointment, Status
from tests.factories import bookable_slot, person

_runs = itertools.count()


class BookingMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.run = next(_runs)
        self.service, self.team, first = bookable_slot(capacity=1, days_ahead=4)
        self.slots = [first]
        for capacity, days in ((2, 5), (3, 6)):
            self.slots.append(
                bookable_slot(
                    service=self.service, team=self.team, capacity=capacity, days_ahead=days
                )[2]
            )
        self.now = timezone.now()
        self.tokens = {}
        self.people = itertools.count()

    def _mine(self, *statuses):
        return list(
            Appointment.objects.filter(slot__team=self.team, status__in=statuses)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    @rule(
        slot_index=st.integers(0, 2),
        channel=st.sampled_from(["online", "staff"]),
        same_person=st.booleans(),
    )
    def book(self, slot_index, channel, same_person):
        n = 0 if same_person else next(self.people) + 1
        who = person(n, email=f"run{self.run}-{n}@example.test")
        try:
            appointment, token = booking.book(
                service=self.service,
                slot_id=self.slots[slot_index].pk,
                person=who,
                channel=channel,
                now=self.now,
            )
        except BookingError:
            return
        self.tokens[appointment.pk] = (appointment.code, token)

    @rule(pick=st.integers(0, 50))
    def verify(self, pick):
        held = self._mine(Status.HELD)
        if held:
            code, token = self.tokens[held[pick % len(held)]]
            with contextlib.suppress(BookingError):
                booking.verify(code=code, token=token, now=self.now)

    @rule(pick=st.integers(0, 50))
    def cancel(self, pick):
        active = self._mine(Status.HELD, Status.BOOKED)
        if active:
            with contextlib.suppress(BookingError):
                booking.cancel(
                    appointment_id=active[pick % len(active)], reason="resident", now=self.now
                )

    @rule(pick=st.integers(0, 50), slot_index=st.integers(0, 2))
    def reschedule(self, pick, slot_index):
        active = self._mine(Status.HELD, Status.BOOKED)
        if active:
            with contextlib.suppress(BookingError):
                booking.reschedule(
                    appointment_id=active[pick % len(active)],
                    slot_id=self.slots[slot_index].pk,
                    internal=True,
                    now=self.now,
                )

    @rule(minutes=st.integers(1, 40))
    def time_passes(self, minutes):
        self.now += dt.timedelta(minutes=minutes)

    @rule()
    def sweep(self):
        booking.expire_holds(now=self.now)
        booking.release_delayed_places(now=self.now)

    @invariant()
    def slots_are_consistent(self):
        for slot in getattr(self, "slots", []):
            slot.refresh_from_db()
            assert 0 <= slot.booked <= slot.capacity
            assert slot.booked == booking.place_holders(slot)


@pytest.mark.django_db
def test_random_operation_sequences_never_break_the_slot_invariants():
    run_state_machine_as_test(
        BookingMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
