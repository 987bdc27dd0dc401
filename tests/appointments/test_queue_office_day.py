"""The queue on a real office day: the order of "next" (priority levels and interleaving),
readmitting a no-show, parking and forwarding while in service, taking over a colleague's
resident, correcting an outcome the same day."""

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from appointments import queue
from appointments.errors import (
    ConfirmationRequired,
    HandledByColleague,
    TransitionNotAllowed,
)
from appointments.models import Appointment, DailyFigure, Event, Outcome, Priority, Status
from appointments.statistics import rebuild
from tests.appointments.test_queue import at_hour, booked_today
from tests.factories import TeamFactory, desk, person, staff

pytestmark = pytest.mark.django_db


def office(hours=(9, 9, 9, 9)):
    """Booked appointments of one team and service today, at the given hours."""
    first = booked_today(1, hour=hours[0], capacity=10)
    team, service = first.slot.team, first.service
    rest = [
        booked_today(n, team=team, service=service, hour=hour, capacity=10)
        for n, hour in enumerate(hours[1:], start=2)
    ]
    return team, service, [first, *rest]


def test_walk_ins_do_not_jump_ahead_of_due_appointments_but_get_every_nth_call(settings):
    settings.QUEUE_WALKIN_EVERY_N_CALLS = 3
    team, service, appointments = office()
    with time_machine.travel(at_hour(8, 50), tick=False):
        walk_in = queue.add_walk_in(team=team, service=service, person=person(20))
    with time_machine.travel(at_hour(8, 55), tick=False):
        for a in appointments:
            queue.check_in(appointment_id=a.pk)
    with time_machine.travel(at_hour(9, 0), tick=False):
        order = [queue.call_next(team=team, counter=desk(team)).pk for _ in range(5)]
    a1, a2, a3, a4 = (a.pk for a in appointments)
    # the walk-in arrived first, yet two due appointments go before it (every 3rd call)
    assert order == [a1, a2, walk_in.pk, a3, a4]


def test_emergencies_are_called_first_and_labelled_as_such(settings):
    team, service, appointments = office(hours=(9,))
    with time_machine.travel(at_hour(8, 55), tick=False):
        queue.check_in(appointment_id=appointments[0].pk)
        emergency = queue.add_walk_in(
            team=team, service=service, person=person(30), priority=Priority.EMERGENCY
        )
        assert emergency.priority == Priority.EMERGENCY
        with translation.override("de"):
            assert emergency.get_priority_display() == "Notfall"
        assert queue.call_next(team=team, counter=desk(team)).pk == emergency.pk


def test_without_interleaving_walk_ins_wait_for_the_due_appointments(settings):
    settings.QUEUE_WALKIN_EVERY_N_CALLS = 0
    team, service, appointments = office(hours=(9, 9, 10))
    with time_machine.travel(at_hour(8, 50), tick=False):
        walk_in = queue.add_walk_in(team=team, service=service, person=person(20))
        for a in appointments:
            queue.check_in(appointment_id=a.pk)
    with time_machine.travel(at_hour(9, 0), tick=False):
        order = [queue.call_next(team=team, counter=desk(team)).pk for _ in range(4)]
    # the 10:00 appointment arrived early: it is not due yet, the walk-in goes first
    assert order == [appointments[0].pk, appointments[1].pk, walk_in.pk, appointments[2].pk]


def test_a_no_show_of_today_is_readmitted_at_check_in_after_confirmation():
    team, _service, (appointment,) = office(hours=(10,))
    clerk = staff(username="empfang")
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        queue.call(appointment_id=appointment.pk, counter=desk(team))
        queue.mark_no_show(appointment_id=appointment.pk, confirm=True)
    with time_machine.travel(at_hour(10, 30), tick=False):
        with pytest.raises(ConfirmationRequired):
            queue.check_in(appointment_id=appointment.pk, actor=clerk)
        assert Appointment.objects.get(pk=appointment.pk).status == Status.NO_SHOW
        back = queue.check_in(appointment_id=appointment.pk, actor=clerk, readmit=True)
    assert back.status == Status.CHECKED_IN and back.waiting_number == "B-001"
    assert back.call_count == 0 and back.checked_in_at == at_hour(10, 30)
    event = Event.objects.filter(appointment=appointment, action="appointment.checked_in").latest(
        "pk"
    )
    assert event.actor == clerk and event.data["readmitted"] is True
    assert event.data["from_status"] == Status.NO_SHOW


def test_a_no_show_of_another_day_is_not_readmitted():
    _team, _service, (appointment,) = office(hours=(10,))
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        queue.mark_no_show(appointment_id=appointment.pk, confirm=True)
    next_day = at_hour(9, 55) + dt.timedelta(days=1)
    with time_machine.travel(next_day, tick=False), pytest.raises(TransitionNotAllowed):
        queue.check_in(appointment_id=appointment.pk, readmit=True)
    assert Appointment.objects.get(pk=appointment.pk).status == Status.NO_SHOW


def test_a_readmitted_no_show_counts_as_kept_after_a_rebuild():
    _team, _service, (appointment,) = office(hours=(10,))
    day = at_hour(10).date()
    tomorrow = at_hour(10) + dt.timedelta(days=1)
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        queue.mark_no_show(appointment_id=appointment.pk, confirm=True)
    rebuild(days=[day], now=tomorrow)
    before = DailyFigure.objects.get(date=day)
    assert (before.kept, before.no_show) == (0, 1)
    with time_machine.travel(at_hour(10, 20), tick=False):
        queue.check_in(appointment_id=appointment.pk, readmit=True)
    rebuild(days=[day], now=tomorrow)
    after = DailyFigure.objects.get(date=day)
    assert (after.kept, after.no_show) == (1, 0)


@pytest.mark.parametrize("move", ["park", "forward"])
def test_while_in_service_the_resident_can_be_parked_or_forwarded_with_calls_reset(move):
    team, _service, (appointment,) = office(hours=(10,))
    other = TeamFactory(waiting_prefix="C")
    with time_machine.travel(at_hour(9, 50), tick=False):
        queue.check_in(appointment_id=appointment.pk)
    with time_machine.travel(at_hour(10, 0), tick=False):
        queue.call(appointment_id=appointment.pk, counter=desk(team))
    with time_machine.travel(at_hour(10, 2), tick=False):
        queue.recall(appointment_id=appointment.pk)
        queue.start_service(appointment_id=appointment.pk)
    with time_machine.travel(at_hour(10, 10), tick=False):
        if move == "park":
            moved = queue.park(appointment_id=appointment.pk)
        else:
            moved = queue.forward(appointment_id=appointment.pk, team=other)
    assert moved.status == Status.CHECKED_IN and moved.call_count == 0
    assert moved.counter is None
    # the waiting time still counts from the arrival at 09:50
    assert moved.checked_in_at == at_hour(9, 50)
    if move == "forward":
        assert moved.queue_team == other
        with time_machine.travel(at_hour(10, 11), tick=False):
            assert queue.call_next(team=other, counter=desk(other)).pk == appointment.pk


def test_a_colleagues_called_resident_is_refused_until_taken_over():
    team, _service, (appointment,) = office(hours=(10,))
    anna, ben = staff(username="anna"), staff(username="ben")
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        queue.call(appointment_id=appointment.pk, counter=desk(team), actor=anna)
    with time_machine.travel(at_hour(9, 57), tick=False):
        for act in (
            lambda: queue.start_service(appointment_id=appointment.pk, actor=ben),
            lambda: queue.recall(appointment_id=appointment.pk, actor=ben),
            lambda: queue.park(appointment_id=appointment.pk, actor=ben),
            lambda: queue.mark_no_show(appointment_id=appointment.pk, actor=ben, confirm=True),
        ):
            with pytest.raises(HandledByColleague) as refused:
                act()
            assert "anna" in str(refused.value.message)
        assert Appointment.objects.get(pk=appointment.pk).status == Status.CALLED
        queue.take_over(appointment_id=appointment.pk, actor=ben)
        served = queue.start_service(appointment_id=appointment.pk, actor=ben)
    assert served.served_by == ben and served.status == Status.IN_SERVICE
    taken = Event.objects.get(appointment=appointment, action="appointment.taken_over")
    assert taken.actor == ben and taken.data["from_user"] == anna.pk


def test_the_outcome_is_corrected_the_same_day_only_and_audited():
    team, _service, (appointment,) = office(hours=(10,))
    with time_machine.travel(at_hour(10), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        queue.call(appointment_id=appointment.pk, counter=desk(team))
        queue.start_service(appointment_id=appointment.pk)
        queue.finish(appointment_id=appointment.pk, outcome=Outcome.OTHER)
    clerk = staff(username="clerk")
    with time_machine.travel(at_hour(15), tick=False):
        fixed = queue.correct_outcome(
            appointment_id=appointment.pk,
            outcome=Outcome.DOCUMENTS_MISSING,
            note="Pass fehlt",
            actor=clerk,
        )
    assert fixed.outcome == Outcome.DOCUMENTS_MISSING and fixed.internal_note == "Pass fehlt"
    event = Event.objects.get(appointment=appointment, action="appointment.outcome_corrected")
    assert event.actor == clerk
    assert (event.data["from_outcome"], event.data["outcome"]) == ("other", "documents_missing")
    next_day = at_hour(10) + dt.timedelta(days=1)
    with time_machine.travel(next_day, tick=False), pytest.raises(TransitionNotAllowed):
        queue.correct_outcome(appointment_id=appointment.pk, outcome=Outcome.OTHER)
    assert Appointment.objects.get(pk=appointment.pk).outcome == Outcome.DOCUMENTS_MISSING
