"""The invitation's transition table: every allowed move works, stamps time and is logged; every
other move is refused; the appointment's own moves record the invitation's outcome in the
same transaction."""

import datetime as dt
import itertools

import pytest
from django.db import transaction
from django.utils import timezone

from appointments import booking, queue
from appointments.errors import InvitationTransitionNotAllowed, TransitionNotAllowed
from appointments.invitations import answers
from appointments.invitations import lifecycle as invitation_lifecycle
from appointments.models import (
    Appointment,
    CancellationReason,
    Channel,
    Event,
    Invitation,
    InvitationBatch,
    InvitationState,
    Outcome,
    Status,
)
from tests.factories import ServiceFactory, bookable_slot, desk_of, person

pytestmark = pytest.mark.django_db

S = InvitationState
ALL_PAIRS = list(itertools.product(InvitationState, InvitationState))
ILLEGAL = [(a, b) for a, b in ALL_PAIRS if b not in invitation_lifecycle.TRANSITIONS[a]]
LEGAL = [(a, b) for a, b in ALL_PAIRS if b in invitation_lifecycle.TRANSITIONS[a]]


def invitation_in(state, *, appointment=None):
    """An invitation row in `state` (set directly: the test starts from there)."""
    invitation = Invitation.objects.create(
        batch=InvitationBatch.objects.create(source_name="test.csv"),
        row_number=2,
        file_number="AZ-00001",
        surname="Aydin",
        given_names="Elif",
        date_of_birth=dt.date(1988, 5, 14),
        nationality="TR",
        email="elif@example.test",
        expiry_date=timezone.localdate() + dt.timedelta(weeks=8),
        service=appointment.service if appointment else ServiceFactory(),
        appointment=appointment,
    )
    Invitation.objects.filter(pk=invitation.pk).update(state=state)
    invitation.refresh_from_db()
    return invitation


def invited(state=S.SENT, *, status=Status.BOOKED):
    """An invitation in `state` whose appointment is today at 11:00 and in `status`."""
    service, _team, slot = bookable_slot(days_ahead=0, hour=11)
    appointment, _ = booking.book(
        service=service,
        slot_id=slot.pk,
        person=person(),
        channel=Channel.INVITATION,
        now=slot.start - dt.timedelta(days=1),
    )
    Appointment.objects.filter(pk=appointment.pk).update(status=status)
    return invitation_in(state, appointment=appointment)


def state_of(invitation):
    return Invitation.objects.values_list("state", flat=True).get(pk=invitation.pk)


def status_of(invitation):
    return Appointment.objects.values_list("status", flat=True).get(pk=invitation.appointment_id)


def outcome_events(invitation):
    return Event.objects.filter(
        action__in=[f"invitation.{s.value}" for s in (S.KEPT, S.NO_SHOW, S.CANCELLED, S.DECLINED)],
        data__invitation=invitation.pk,
    )


# --- The table -----------------------------------------------------------------------------


def test_every_state_has_a_row_in_the_table():
    assert set(invitation_lifecycle.TRANSITIONS) == set(InvitationState)


def test_terminal_states_allow_no_move():
    for state in (S.RELEASED, S.DECLINED):
        assert invitation_lifecycle.TRANSITIONS[state] == set()


def test_a_no_show_may_only_become_kept():
    assert invitation_lifecycle.TRANSITIONS[S.NO_SHOW] == {S.KEPT}


def test_nothing_moves_back_to_imported():
    assert not any(S.IMPORTED in targets for targets in invitation_lifecycle.TRANSITIONS.values())


@pytest.mark.parametrize(("current", "target"), ILLEGAL, ids=lambda s: str(s))
def test_illegal_moves_are_refused_and_change_nothing(current, target):
    invitation = invitation_in(current)
    events = Event.objects.count()
    with pytest.raises(InvitationTransitionNotAllowed):
        invitation_lifecycle.move(invitation_id=invitation.pk, to_state=target)
    assert state_of(invitation) == current
    assert Event.objects.count() == events


@pytest.mark.parametrize(("current", "target"), LEGAL, ids=lambda s: str(s))
def test_legal_moves_stamp_their_time_and_log_who(current, target, django_user_model):
    invitation = invitation_in(current)
    clerk = django_user_model.objects.create_user("clerk", password="x" * 12)
    now = timezone.now()
    events = Event.objects.count()
    moved = invitation_lifecycle.move(
        invitation_id=invitation.pk, to_state=target, actor=clerk, now=now
    )
    assert moved.state == target and state_of(invitation) == target
    stamp = invitation_lifecycle.TIMESTAMP_FIELD.get(target)
    if stamp:
        assert getattr(moved, stamp) == now
    assert Event.objects.count() == events + 1
    event = Event.objects.latest("pk")
    assert event.action == f"invitation.{target}"
    assert event.actor == clerk and event.at == now
    assert event.data == {"invitation": invitation.pk, "from_state": current}


def test_a_move_carries_its_extra_fields_and_event_data():
    invitation = invitation_in(S.SENT)
    invitation_lifecycle.move(
        invitation_id=invitation.pk,
        to_state=S.DECLINED,
        extra_fields={"decline_reason": "moved_away"},
        reason="moved_away",
    )
    invitation.refresh_from_db()
    assert invitation.decline_reason == "moved_away"
    assert Event.objects.get(action="invitation.declined").data["reason"] == "moved_away"


def test_a_double_click_moves_only_once():
    invitation = invitation_in(S.SENT)
    invitation_lifecycle.move(invitation_id=invitation.pk, to_state=S.CONFIRMED)
    with pytest.raises(InvitationTransitionNotAllowed):
        invitation_lifecycle.move(invitation_id=invitation.pk, to_state=S.CONFIRMED)
    assert Event.objects.filter(action="invitation.confirmed").count() == 1


def test_a_move_based_on_a_stale_read_loses_against_a_concurrent_one(monkeypatch):
    invitation = invitation_in(S.SENT)
    stale = Invitation.objects.get(pk=invitation.pk)
    # the resident declines after the deadline job read "sent"
    invitation_lifecycle.move(invitation_id=invitation.pk, to_state=S.DECLINED)
    monkeypatch.setattr(Invitation.objects, "get", lambda **kwargs: stale)
    with pytest.raises(InvitationTransitionNotAllowed):
        invitation_lifecycle.move(invitation_id=invitation.pk, to_state=S.NO_ANSWER)
    assert state_of(invitation) == S.DECLINED
    assert not Event.objects.filter(action="invitation.no_answer").exists()


def test_the_refusal_is_a_transition_error_with_a_message():
    invitation = invitation_in(S.DECLINED)
    with pytest.raises(TransitionNotAllowed) as refused:
        invitation_lifecycle.move(invitation_id=invitation.pk, to_state=S.SENT)
    assert refused.value.http_status == 409 and str(refused.value.message)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_of_two_concurrent_moves_exactly_one_wins():
    from tests.appointments.test_races import race

    invitation = invitation_in(S.SENT)
    # Two final states: neither may follow the other, so exactly one wins whether the threads
    # overlap or (on a busy machine) run one after the other. CONFIRMED → DECLINED is allowed,
    # which made the test depend on the threads' timing.
    targets = [S.RELEASED, S.DECLINED]

    def work(i):
        return invitation_lifecycle.move(invitation_id=invitation.pk, to_state=targets[i]).state

    outcomes = race(work, count=2)
    won = [o for o in outcomes if not isinstance(o, Exception)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1 and all(isinstance(o, InvitationTransitionNotAllowed) for o in lost)
    assert state_of(invitation) == won[0]
    assert Event.objects.filter(data__invitation=invitation.pk).count() == 1


# --- Outcomes, recorded when the appointment moves -----------------------------------------


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        (CancellationReason.STAFF, S.CANCELLED),
        (CancellationReason.CLOSURE, S.CANCELLED),
        (CancellationReason.RESIDENT, S.DECLINED),
    ],
)
def test_cancelling_the_appointment_records_the_outcome(reason, expected, django_user_model):
    invitation = invited(S.CONFIRMED)
    clerk = django_user_model.objects.create_user("clerk", password="x" * 12)
    booking.cancel(appointment_id=invitation.appointment_id, reason=reason, actor=clerk)
    invitation.refresh_from_db()
    assert invitation.state == expected
    assert getattr(invitation, invitation_lifecycle.TIMESTAMP_FIELD[expected]) is not None
    event = outcome_events(invitation).get()
    assert event.actor == clerk and event.appointment_id == invitation.appointment_id
    assert event.data["from_state"] == S.CONFIRMED


def test_checking_in_records_kept_once_however_the_visit_goes_on():
    invitation = invited(S.SENT)
    start = invitation.appointment.slot.start
    queue.check_in(appointment_id=invitation.appointment_id, now=start)
    assert state_of(invitation) == S.KEPT
    queue.call(
        appointment_id=invitation.appointment_id,
        counter=desk_of(invitation.appointment_id),
        now=start,
    )
    queue.start_service(appointment_id=invitation.appointment_id, now=start)
    queue.finish(appointment_id=invitation.appointment_id, outcome=Outcome.TITLE_ISSUED, now=start)
    assert state_of(invitation) == S.KEPT
    assert list(outcome_events(invitation).values_list("action", flat=True)) == ["invitation.kept"]


def test_the_no_show_sweep_records_no_show():
    invitation = invited(S.NO_ANSWER)
    later = invitation.appointment.slot.end + dt.timedelta(days=1)
    assert booking.mark_no_shows(now=later) == 1
    invitation.refresh_from_db()
    assert invitation.state == S.NO_SHOW and invitation.no_show_at == later


def test_a_no_show_readmitted_the_same_day_is_kept_again():
    invitation = invited(S.CONFIRMED)
    start = invitation.appointment.slot.start
    queue.check_in(appointment_id=invitation.appointment_id, now=start)
    queue.mark_no_show(confirm=True, appointment_id=invitation.appointment_id, now=start)
    assert state_of(invitation) == S.NO_SHOW
    later = start + dt.timedelta(minutes=20)
    queue.check_in(appointment_id=invitation.appointment_id, readmit=True, now=later)
    assert state_of(invitation) == S.KEPT


def test_checked_in_but_not_there_when_called_ends_as_no_show():
    invitation = invited(S.CONFIRMED)
    start = invitation.appointment.slot.start
    queue.check_in(appointment_id=invitation.appointment_id, now=start)
    queue.mark_no_show(confirm=True, appointment_id=invitation.appointment_id, now=start)
    assert state_of(invitation) == S.NO_SHOW
    assert list(outcome_events(invitation).values_list("action", flat=True)) == [
        "invitation.kept",
        "invitation.no_show",
    ]


def test_a_declined_invitation_stays_declined_with_its_reason():
    invitation = invited(S.SENT)
    answers.decline(invitation_id=invitation.pk, reason="already_applied", now=timezone.now())
    invitation.refresh_from_db()
    assert invitation.state == S.DECLINED and invitation.decline_reason == "already_applied"
    assert status_of(invitation) == Status.CANCELLED
    assert outcome_events(invitation).get().data["reason"] == "already_applied"


def test_an_appointment_without_invitation_moves_as_before():
    service, _team, slot = bookable_slot()
    appointment, _ = booking.book(
        service=service, slot_id=slot.pk, person=person(), channel="staff"
    )
    booking.cancel(appointment_id=appointment.pk, reason=CancellationReason.STAFF)
    assert not Event.objects.filter(action__startswith="invitation.").exists()


def _cancel(invitation):
    booking.cancel(appointment_id=invitation.appointment_id, reason=CancellationReason.STAFF)


def _no_show(invitation):
    queue.mark_no_show(confirm=True, appointment_id=invitation.appointment_id)


def _complete(invitation):
    queue.finish(appointment_id=invitation.appointment_id, outcome=Outcome.TITLE_ISSUED)


@pytest.mark.parametrize(
    ("status", "act", "expected"),
    [
        (Status.BOOKED, _cancel, S.CANCELLED),
        (Status.CALLED, _no_show, S.NO_SHOW),
        (Status.IN_SERVICE, _complete, S.KEPT),
    ],
    ids=["cancel", "no_show", "complete"],
)
def test_the_outcome_is_part_of_the_appointments_transaction(status, act, expected):
    invitation = invited(S.CONFIRMED, status=status)
    events = Event.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        act(invitation)
        # recorded at once, inside the transaction of the appointment's move
        assert state_of(invitation) == expected
        raise RuntimeError("the request fails after the move")
    assert status_of(invitation) == status
    assert state_of(invitation) == S.CONFIRMED
    assert Event.objects.count() == events


def test_an_outcome_that_loses_a_race_rolls_the_appointments_move_back(monkeypatch):
    invitation = invited(S.SENT)
    # the resident confirms between the outcome's read and its guarded update
    stale = Invitation.objects.get(pk=invitation.pk)
    answers.confirm(invitation_id=invitation.pk)
    monkeypatch.setattr(Invitation.objects, "get", lambda **kwargs: stale)
    with pytest.raises(InvitationTransitionNotAllowed):
        _cancel(invitation)
    assert status_of(invitation) == Status.BOOKED
    assert state_of(invitation) == S.CONFIRMED
