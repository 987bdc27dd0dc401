"""Release modes and reconfirmation under real concurrency (PostgreSQL, separate connections
released together): release runs racing each other release a day once and hold each place
once; a resident's click racing the deadline either confirms or releases, never both."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments import booking, reconfirmation
from appointments.models import (
    Appointment,
    DayRelease,
    Offer,
    ReleaseMode,
    Service,
    Slot,
    Status,
)
from appointments.waitlist import release_modes
from tests.appointments.test_races import race
from tests.appointments.waitlist.test_release_modes import at
from tests.appointments.waitlist.test_waitlist_races import waiting
from tests.factories import appointment, bookable_slot

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_release_runs_release_the_day_once_and_hold_each_place_once(clock):
    service, _team, slot = bookable_slot(capacity=2, start=at(dt.date(2026, 12, 9), 10))
    release_modes.configure_service(
        service_id=service.pk, release_mode=ReleaseMode.ALLOCATION, reconfirmation_days=0
    )
    for n in range(3):
        waiting(service, n)
    clock.move_to(at(dt.date(2026, 11, 11), 7, 5))
    now = timezone.now()

    outcomes = race(lambda _i: release_modes.release_days(now=now), count=6)
    assert sum(o for o in outcomes if isinstance(o, int)) == 2, outcomes
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert DayRelease.objects.count() == 1 and DayRelease.objects.get().offers == 2
    assert Offer.objects.count() == 2 and Slot.objects.get(pk=slot.pk).booked == 2


@pytest.mark.parametrize("round_", range(3))
def test_a_click_racing_the_deadline_confirms_or_releases_never_both(clock, round_):
    service, _team, slot = bookable_slot(capacity=1, start=at(dt.date(2026, 11, 20), 10))
    Service.objects.filter(pk=service.pk).update(reconfirmation_days=3)
    service.refresh_from_db()
    made = appointment(service=service, slot=slot, channel="online")
    for moment in (at(dt.date(2026, 11, 17), 10, 5), at(dt.date(2026, 11, 18), 10, 10)):
        clock.move_to(moment)
        reconfirmation.run()
    clock.move_to(at(dt.date(2026, 11, 19), 10, 5))

    def act(i):
        if i == 0:
            return reconfirmation.run()["released"]
        return booking.confirm_attendance(appointment_id=made.pk)

    outcomes = race(act, count=2)
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    final = Appointment.objects.get(pk=made.pk)
    released, confirmed = outcomes
    assert bool(released) != bool(confirmed), (outcomes, round_)
    if released:
        assert final.status == Status.CANCELLED and final.attendance_confirmed_at is None
        assert Slot.objects.get(pk=slot.pk).booked == 0
    else:
        assert final.status == Status.BOOKED and final.attendance_confirmed_at is not None
        assert Slot.objects.get(pk=slot.pk).booked == 1
