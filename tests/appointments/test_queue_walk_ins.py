"""Walk-ins: the team follows from concern and surname as for bookings (another team only with
a reason), and an emergency past the day's walk-in places (a reason, or a supervisor)."""

import pytest

from appointments import queue
from appointments.errors import ReasonRequired, WalkInsExhausted, WrongTeam
from appointments.models import Appointment, DailySequence, Event, Priority, ResponsibilityRule
from tests.factories import ServiceFactory, TeamFactory, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def split():
    """One service: team A–M serves surnames A to M, team N–Z the rest."""
    service = ServiceFactory()
    first = TeamFactory(name="Team A–M", waiting_prefix="A", walk_in_daily_limit=1)
    second = TeamFactory(name="Team N–Z", waiting_prefix="N", walk_in_daily_limit=1)
    ResponsibilityRule.objects.create(service=service, team=first, letter_from="A", letter_to="M")
    ResponsibilityRule.objects.create(service=service, team=second, letter_from="N", letter_to="Z")
    return service, first, second


def test_the_walk_in_team_follows_from_concern_and_surname(split):
    service, _first, second = split
    walk_in = queue.add_walk_in(service=service, person=person(surname="Nowak"))
    assert walk_in.queue_team == second and walk_in.waiting_number == "N-001"


def test_another_team_than_the_responsible_one_needs_a_reason_and_is_audited(split):
    service, first, second = split
    with pytest.raises(WrongTeam, match="Team N–Z"):
        queue.add_walk_in(service=service, person=person(surname="Nowak"), team=first)
    assert not Appointment.objects.exists()
    assert not DailySequence.objects.filter(walk_ins__gt=0).exists()

    walk_in = queue.add_walk_in(
        service=service,
        person=person(surname="Nowak"),
        team=first,
        override_reason="Dolmetscherin sitzt in A–M",
    )
    assert walk_in.queue_team == first
    event = Event.objects.get(action="walk_in.team_overridden")
    assert event.appointment_id == walk_in.pk
    assert event.data == {"team": first.pk, "reason": "Dolmetscherin sitzt in A–M"}
    # the responsible team, named explicitly, needs nothing
    same = queue.add_walk_in(service=service, person=person(2, surname="Neumann"), team=second)
    assert same.queue_team == second
    assert Event.objects.filter(action="walk_in.team_overridden").count() == 1


def test_an_emergency_beyond_the_days_places_needs_a_reason_or_a_supervisor(split):
    service, first, _second = split
    queue.add_walk_in(service=service, person=person(1, surname="Adam"))
    emergency = {"service": service, "priority": Priority.EMERGENCY}
    with pytest.raises(WalkInsExhausted):
        queue.add_walk_in(person=person(2, surname="Bauer"), **emergency)
    with pytest.raises(ReasonRequired):
        queue.add_walk_in(person=person(2, surname="Bauer"), beyond_contingent=True, **emergency)
    with pytest.raises(WalkInsExhausted):  # a normal walk-in never goes beyond
        queue.add_walk_in(
            service=service,
            person=person(2, surname="Bauer"),
            beyond_contingent=True,
            beyond_reason="bitte",
        )
    assert Appointment.objects.count() == 1

    by_reception = queue.add_walk_in(
        person=person(2, surname="Bauer"),
        beyond_contingent=True,
        beyond_reason="Fiktionsbescheinigung läuft heute ab",
        **emergency,
    )
    by_supervisor = queue.add_walk_in(
        person=person(3, surname="Cem"), beyond_contingent=True, by_supervisor=True, **emergency
    )
    assert by_reception.queue_team == by_supervisor.queue_team == first
    events = Event.objects.filter(action="walk_in.beyond_contingent").order_by("pk")
    assert [(e.appointment_id, e.data["reason"], e.data["by_supervisor"]) for e in events] == [
        (by_reception.pk, "Fiktionsbescheinigung läuft heute ab", False),
        (by_supervisor.pk, "", True),
    ]
    assert DailySequence.objects.get(team=first).walk_ins == 3
