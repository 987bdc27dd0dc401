"""A team's day for the queue screens: its own appointments and those forwarded to it, found
through indexes (the day's slots by start, their appointments by slot), not by reading every
appointment the team ever had."""

import pytest
from django.db import connection

from appointments import booking, selectors
from appointments.models import Appointment, Slot
from benchmarks.harness import unindexed_scans
from tests.factories import TeamFactory, bookable_slot, person

pytestmark = pytest.mark.django_db


def _day():
    service, team, slot = bookable_slot(days_ahead=0, hour=23, capacity=6)
    other = TeamFactory()
    _s, _t, elsewhere = bookable_slot(service=service, team=other, days_ahead=0, hour=23)
    _s, _t, tomorrow = bookable_slot(service=service, team=team, days_ahead=1, hour=9, capacity=50)

    def book(in_slot, n, queue_team=None):
        # Booked in the team's slot (the surname routes there), then put where the case needs.
        made, _token = booking.book(
            service=service, slot_id=slot.pk, person=person(n), channel="staff"
        )
        Appointment.objects.filter(pk=made.pk).update(slot=in_slot, queue_team=queue_team)
        return made.pk

    return (
        team,
        other,
        {
            "own": book(slot, 1),
            "sent_away": book(slot, 2, queue_team=other),
            "forwarded_here": book(elsewhere, 3, queue_team=team),
            "others": book(elsewhere, 4),
            "tomorrow": book(tomorrow, 5),
        },
    )


def test_a_teams_day_has_its_own_and_the_forwarded_appointments():
    team, other, made = _day()
    assert {a.pk for a in selectors.team_day(team)} == {made["own"], made["forwarded_here"]}
    assert {a.pk for a in selectors.team_day(other)} == {made["sent_away"], made["others"]}


@pytest.mark.postgres
def test_the_teams_day_finds_its_appointments_through_an_index():
    team, _other, made = _day()
    # A fuller day, and the team's other days: what a query without an index reads too.
    for pk in (made["own"], made["tomorrow"]):
        slot = Appointment.objects.get(pk=pk).slot
        Slot.objects.filter(pk=slot.pk).update(capacity=60)
        service = slot.rule.services.get()
        for n in range(40):
            booking.book(service=service, slot_id=slot.pk, person=person(100 * pk + n),
                         channel="staff")  # fmt: skip
    # checked in: in the team's queue (as every arrived resident is)
    Appointment.objects.filter(slot__team=team, queue_team__isnull=True).update(queue_team=team)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SET enable_seqscan = off")
        plan = selectors.team_day(team).explain()
        cursor.execute("RESET enable_seqscan")
    assert unindexed_scans(plan, "appointments_appointment") == 0, plan
