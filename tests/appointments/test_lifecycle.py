"""The transition table: every allowed move works and stamps time; every other move is refused."""

import itertools

import pytest
from django.utils import timezone

from appointments import booking, lifecycle
from appointments.errors import TransitionNotAllowed
from appointments.models import Appointment, Event, Status
from tests.factories import bookable_slot, person, staff

pytestmark = pytest.mark.django_db

ALL_PAIRS = list(itertools.product(Status, Status))
ILLEGAL = [(a, b) for a, b in ALL_PAIRS if b not in lifecycle.TRANSITIONS[a]]
LEGAL = [(a, b) for a, b in ALL_PAIRS if b in lifecycle.TRANSITIONS[a]]


def appointment_in(status):
    service, _team, slot = bookable_slot()
    appointment, _ = booking.book(
        service=service, slot_id=slot.pk, person=person(), channel="staff"
    )
    Appointment.objects.filter(pk=appointment.pk).update(status=status)
    return appointment


def test_every_status_has_a_row_in_the_table():
    assert set(lifecycle.TRANSITIONS) == set(Status)


def test_terminal_statuses_allow_no_move():
    for status in (Status.COMPLETED, Status.CANCELLED, Status.EXPIRED):
        assert lifecycle.TRANSITIONS[status] == set()


def test_a_no_show_may_only_return_to_checked_in_and_service_only_back_to_the_queue():
    # readmission at check-in (queue.check_in limits it to the same day)
    assert lifecycle.TRANSITIONS[Status.NO_SHOW] == {Status.CHECKED_IN}
    # parking or forwarding while in service
    assert lifecycle.TRANSITIONS[Status.IN_SERVICE] == {Status.COMPLETED, Status.CHECKED_IN}


@pytest.mark.parametrize(("current", "target"), ILLEGAL, ids=lambda s: str(s))
def test_illegal_moves_are_refused_and_change_nothing(current, target):
    appointment = appointment_in(current)
    events = Event.objects.count()
    with pytest.raises(TransitionNotAllowed):
        lifecycle.move(appointment_id=appointment.pk, to_status=target)
    appointment.refresh_from_db()
    assert appointment.status == current
    assert Event.objects.count() == events


@pytest.mark.parametrize(("current", "target"), LEGAL, ids=lambda s: str(s))
def test_legal_moves_stamp_their_time_and_log_who(current, target):
    appointment = appointment_in(current)
    clerk = staff(username="clerk")
    now = timezone.now()
    moved = lifecycle.move(appointment_id=appointment.pk, to_status=target, actor=clerk, now=now)
    assert moved.status == target
    assert getattr(moved, f"{target}_at") == now
    event = Event.objects.filter(appointment=appointment).latest("pk")
    assert event.action == f"appointment.{target}"
    assert event.actor == clerk
    assert event.data["from_status"] == current


def test_a_double_click_moves_only_once():
    appointment = appointment_in(Status.CALLED)
    lifecycle.move(appointment_id=appointment.pk, to_status=Status.IN_SERVICE)
    with pytest.raises(TransitionNotAllowed):
        lifecycle.move(appointment_id=appointment.pk, to_status=Status.IN_SERVICE)
    assert Event.objects.filter(action="appointment.in_service").count() == 1


def test_a_move_based_on_a_stale_read_loses_against_a_concurrent_one(monkeypatch):
    appointment = appointment_in(Status.CHECKED_IN)
    stale = Appointment.objects.get(pk=appointment.pk)
    # another caseworker marks the person as no-show after our screen read "checked in"
    Appointment.objects.filter(pk=appointment.pk).update(status=Status.NO_SHOW)
    monkeypatch.setattr(Appointment.objects, "get", lambda **kwargs: stale)
    with pytest.raises(TransitionNotAllowed):
        lifecycle.move(appointment_id=appointment.pk, to_status=Status.CALLED)
    assert Appointment.objects.filter(pk=appointment.pk, status=Status.NO_SHOW).exists()
