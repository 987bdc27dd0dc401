"""The visit in the office: check-in, waiting numbers, walk-ins, the queue moves, follow-ups."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connections
from django.utils import timezone

from appointments import booking, queue, selectors
from appointments.errors import (
    ConfirmationRequired,
    LimitReached,
    NoCounter,
    NoFollowUp,
    QueueEmpty,
    RecallTooSoon,
    TooEarly,
    TooLate,
    TransitionNotAllowed,
    WalkInsExhausted,
    WrongDay,
)
from appointments.models import (
    Appointment,
    Case,
    Channel,
    Counter,
    Event,
    Outcome,
    Slot,
    Status,
)
from tests.factories import (
    ServiceFactory,
    TeamFactory,
    bookable_slot,
    desk,
    desk_of,
    person,
    route_all,
    staff,
)

pytestmark = pytest.mark.django_db


def booked_today(n=0, *, team=None, service=None, hour=10, capacity=5):
    """A booked appointment today at `hour`, with time frozen by the caller."""
    service = service or ServiceFactory()
    team = team or TeamFactory(waiting_prefix="B")
    if not service.responsibility_rules.exists():
        route_all(service, team)
    slot = Slot.objects.filter(team=team, start__hour=hour).first()
    if slot is None:
        _s, _t, slot = bookable_slot(
            service=service, team=team, capacity=capacity, days_ahead=0, hour=hour
        )
    appointment, _ = booking.book(
        service=service,
        slot_id=slot.pk,
        person=person(n),
        channel="staff",
        now=slot.start - dt.timedelta(days=1),
    )
    return appointment


def at_hour(hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(hour, minute)))


def test_check_in_gives_team_prefixed_numbers_counting_up_per_day():
    first = booked_today(1)
    second = booked_today(2, team=first.slot.team, service=first.service)
    now = at_hour(9, 50)
    a = queue.check_in(appointment_id=first.pk, now=now)
    b = queue.check_in(appointment_id=second.pk, now=now)
    assert (a.waiting_number, b.waiting_number) == ("B-001", "B-002")
    assert a.status == Status.CHECKED_IN and a.queue_team_id == first.slot.team_id
    assert a.checked_in_at == now and not a.arrived_late


def test_check_in_refuses_other_days_early_arrivals_and_very_late_ones(settings):
    appointment = booked_today(1)
    with pytest.raises(TooEarly):
        queue.check_in(appointment_id=appointment.pk, now=at_hour(7, 0))
    with pytest.raises(TooLate):
        queue.check_in(appointment_id=appointment.pk, now=at_hour(11, 30))
    with pytest.raises(WrongDay):
        queue.check_in(appointment_id=appointment.pk, now=at_hour(10) + dt.timedelta(days=1))
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED and appointment.waiting_number == ""
    late = queue.check_in(appointment_id=appointment.pk, now=at_hour(11, 30), accept_late=True)
    assert late.arrived_late and late.status == Status.CHECKED_IN


def test_a_few_minutes_late_is_checked_in_with_the_late_flag():
    appointment = booked_today(1)
    checked = queue.check_in(appointment_id=appointment.pk, now=at_hour(10, 15))
    assert checked.arrived_late


def test_checking_in_twice_is_refused():
    appointment = booked_today(1)
    queue.check_in(appointment_id=appointment.pk, now=at_hour(9, 55))
    with pytest.raises(TransitionNotAllowed):
        queue.check_in(appointment_id=appointment.pk, now=at_hour(9, 56))


def test_call_next_takes_priority_then_appointment_time_then_arrival():
    early = booked_today(1, hour=9)
    team, service = early.slot.team, early.service
    late = booked_today(2, team=team, service=service, hour=10)
    with time_machine.travel(at_hour(9, 30), tick=False):
        queue.check_in(appointment_id=late.pk)
        queue.check_in(appointment_id=early.pk)
        urgent = queue.add_walk_in(team=team, service=service, person=person(3), priority=2)
        order = [queue.call_next(team=team, counter=desk(team)).pk for _ in range(3)]
        with pytest.raises(QueueEmpty):
            queue.call_next(team=team, counter=desk(team))
    assert order == [urgent.pk, early.pk, late.pk]


def test_walk_ins_come_from_a_daily_contingent():
    team, service = TeamFactory(walk_in_daily_limit=2), ServiceFactory()
    route_all(service, team)
    with time_machine.travel(at_hour(9), tick=False):
        for n in range(2):
            walk_in = queue.add_walk_in(team=team, service=service, person=person(n))
            assert walk_in.channel == Channel.WALK_IN and walk_in.status == Status.CHECKED_IN
        with pytest.raises(WalkInsExhausted):
            queue.add_walk_in(team=team, service=service, person=person(9))
    with time_machine.travel(at_hour(9) + dt.timedelta(days=1), tick=False):
        queue.add_walk_in(team=team, service=service, person=person(9))
    for slot in Slot.objects.filter(appointments__channel=Channel.WALK_IN):
        assert slot.booked == booking.place_holders(slot) == 1 and slot.closed


def test_the_same_person_cannot_be_added_twice_as_walk_in():
    team, service = TeamFactory(), ServiceFactory()
    route_all(service, team)
    queue.add_walk_in(team=team, service=service, person=person(1))
    with pytest.raises(LimitReached):
        queue.add_walk_in(team=team, service=service, person=person(1))


def test_recall_counts_calls_and_the_last_unanswered_call_is_a_no_show_when_confirmed(settings):
    settings.MAX_UNANSWERED_CALLS = 3
    settings.QUEUE_RECALL_MIN_SECONDS = 60
    appointment = booked_today(1)
    team = appointment.slot.team
    counter = Counter.objects.create(team=team, number="7")
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        called = queue.call_next(team=team, counter=counter)
        first_call = called.first_called_at
    assert called.call_count == 1 and called.counter == counter
    with time_machine.travel(at_hour(10, 5), tick=False):
        assert queue.recall(appointment_id=appointment.pk).call_count == 2
    with time_machine.travel(at_hour(10, 7), tick=False):
        assert queue.recall(appointment_id=appointment.pk).call_count == 3
    with time_machine.travel(at_hour(10, 9), tick=False):
        with pytest.raises(ConfirmationRequired):
            queue.recall(appointment_id=appointment.pk)
        assert Appointment.objects.get(pk=appointment.pk).status == Status.CALLED
        gone = queue.recall(appointment_id=appointment.pk, confirm=True)
    assert gone.status == Status.NO_SHOW
    assert gone.first_called_at == first_call  # waiting time ends at the first call


def test_calling_again_within_the_minimum_interval_is_refused(settings):
    settings.QUEUE_RECALL_MIN_SECONDS = 60
    appointment = booked_today(1)
    team = appointment.slot.team
    with time_machine.travel(at_hour(9, 55), tick=False) as clock:
        queue.check_in(appointment_id=appointment.pk)
        queue.call_next(team=team, counter=desk(team))
        for seconds in (3, 10, 59):
            clock.move_to(at_hour(9, 55) + dt.timedelta(seconds=seconds))
            with pytest.raises(RecallTooSoon):
                queue.recall(appointment_id=appointment.pk, confirm=True)
        clock.move_to(at_hour(9, 56))
        again = queue.recall(appointment_id=appointment.pk)
    assert again.status == Status.CALLED and again.call_count == 2


def test_every_call_needs_a_counter_of_the_team():
    appointment = booked_today(1)
    team = appointment.slot.team
    other = Counter.objects.create(team=TeamFactory(), number="9")
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        with pytest.raises(NoCounter):
            queue.call_next(team=team)
        with pytest.raises(NoCounter):
            queue.call(appointment_id=appointment.pk)
        with pytest.raises(NoCounter):
            queue.call(appointment_id=appointment.pk, counter=other)
        assert Appointment.objects.get(pk=appointment.pk).status == Status.CHECKED_IN
        called = queue.call(appointment_id=appointment.pk, counter=desk(team))
    assert called.counter.number == "1"


def test_the_counter_of_the_day_is_remembered_per_user_and_team():
    appointment = booked_today(1)
    team = appointment.slot.team
    clerk = staff(username="clerk")
    assert queue.counter_of_day(user=clerk, team=team) is None
    queue.choose_counter(user=clerk, counter=desk(team, "3"))
    queue.choose_counter(user=clerk, counter=desk(team, "4"))
    assert queue.counter_of_day(user=clerk, team=team).number == "4"
    assert queue.counter_of_day(user=staff(username="other"), team=team) is None
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert queue.counter_of_day(user=clerk, team=team, now=tomorrow) is None


def test_no_show_needs_confirmation():
    appointment = booked_today(1)
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        with pytest.raises(ConfirmationRequired):
            queue.mark_no_show(appointment_id=appointment.pk)
        assert Appointment.objects.get(pk=appointment.pk).status == Status.CHECKED_IN
        gone = queue.mark_no_show(appointment_id=appointment.pk, confirm=True)
    assert gone.status == Status.NO_SHOW


def test_park_keeps_the_resident_out_of_call_next_until_called_directly():
    appointment = booked_today(1)
    team = appointment.slot.team
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        queue.call_next(team=team, counter=desk(team))
        parked = queue.park(appointment_id=appointment.pk)
        assert parked.status == Status.CHECKED_IN and parked.parked_at
        with pytest.raises(QueueEmpty):
            queue.call_next(team=team, counter=desk(team))
        again = queue.call(appointment_id=appointment.pk, counter=desk_of(appointment.pk))
    # parking starts the calls anew
    assert again.status == Status.CALLED and again.parked_at is None and again.call_count == 1


def test_forward_moves_the_resident_to_another_teams_queue():
    appointment = booked_today(1)
    other = TeamFactory()
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        queue.call_next(team=appointment.slot.team, counter=desk(appointment.slot.team))
        moved = queue.forward(appointment_id=appointment.pk, team=other)
        assert moved.queue_team == other and moved.status == Status.CHECKED_IN
        assert queue.call_next(team=other, counter=desk(other)).pk == appointment.pk
    event = Event.objects.filter(appointment=appointment, data__forwarded_to=other.pk)
    assert event.exists()


def test_finish_records_the_outcome_and_completes_the_case_unless_a_follow_up_is_due():
    pickup = ServiceFactory(slug="pickup")
    application = ServiceFactory(follow_up_service=pickup, needs_follow_up=True)
    appointment = booked_today(1, service=application)
    simple = booked_today(2, team=appointment.slot.team, service=ServiceFactory(), hour=11)
    for a in (appointment, simple):
        with time_machine.travel(a.slot.start - dt.timedelta(minutes=5), tick=False):
            queue.check_in(appointment_id=a.pk)
            queue.call(appointment_id=a.pk, counter=desk_of(a.pk))
            queue.start_service(appointment_id=a.pk)
            queue.finish(appointment_id=a.pk, outcome=Outcome.APPLICATION_FILED, note=" ok ")
    appointment.refresh_from_db()
    assert appointment.outcome == "application_filed" and appointment.internal_note == "ok"
    assert not appointment.case.is_complete
    assert Case.objects.get(pk=simple.case_id).is_complete
    with pytest.raises(TransitionNotAllowed):
        queue.finish(appointment_id=simple.pk, outcome=Outcome.OTHER)


def test_a_follow_up_is_booked_for_the_same_person_and_case_from_internal_places(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    pickup = ServiceFactory(slug="pickup")
    application = ServiceFactory(follow_up_service=pickup)
    appointment = booked_today(1, service=application)
    team = appointment.slot.team
    route_all(pickup, team)
    _s, _t, internal = bookable_slot(
        service=pickup, team=team, days_ahead=45, contingent="internal"
    )
    with time_machine.travel(appointment.slot.start, tick=False):
        queue.check_in(appointment_id=appointment.pk)
        queue.call(appointment_id=appointment.pk, counter=desk_of(appointment.pk))
        queue.start_service(appointment_id=appointment.pk)
        queue.finish(appointment_id=appointment.pk, outcome=Outcome.APPLICATION_FILED)
        _service, days = queue.follow_up_slots(
            appointment,
            date_from=timezone.localdate() + dt.timedelta(days=40),
            date_to=timezone.localdate() + dt.timedelta(days=50),
        )
        assert [s.pk for _d, slots in days for s in slots] == [internal.pk]
        follow_up = queue.book_follow_up(appointment_id=appointment.pk, slot_id=internal.pk)
    assert follow_up.channel == Channel.FOLLOW_UP and follow_up.status == Status.BOOKED
    assert follow_up.case_id == appointment.case_id and follow_up.service == pickup
    assert follow_up.surname == appointment.surname
    assert follow_up.messages.filter(kind="confirmation").exists()
    simple = booked_today(5, team=team, service=ServiceFactory(), hour=12)
    with pytest.raises((NoFollowUp, TransitionNotAllowed)):
        queue.book_follow_up(appointment_id=simple.pk, slot_id=internal.pk)


def test_the_display_feed_holds_numbers_and_counters_only():
    appointment = booked_today(1)
    team = appointment.slot.team
    counter = Counter.objects.create(team=team, number="3")
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=appointment.pk)
        queue.call_next(team=team, counter=counter)
        calls = selectors.display_calls([team])
    assert calls == [
        {
            "waiting_number": "B-001",
            "counter__number": "3",
            "called_at": at_hour(9, 55),
            "call_count": 1,
        }
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_caseworkers_calling_next_at_once_never_get_the_same_person():
    first = booked_today(1, capacity=20)
    team, service = first.slot.team, first.service
    people = [first] + [
        booked_today(n, team=team, service=service, capacity=20) for n in range(2, 11)
    ]
    now = at_hour(9, 55)
    for appointment in people:
        queue.check_in(appointment_id=appointment.pk, now=now)
    barrier = threading.Barrier(16)
    results = []

    def caseworker():
        try:
            barrier.wait(timeout=30)
            results.append(queue.call_next(team=team, counter=desk(team), now=now).pk)
        except QueueEmpty:
            results.append(None)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=caseworker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    called = [pk for pk in results if pk is not None]
    assert len(called) == len(set(called)) == 10
    assert results.count(None) == 6
    assert Appointment.objects.filter(status=Status.CALLED, call_count=1).count() == 10
