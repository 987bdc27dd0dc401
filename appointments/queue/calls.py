"""Calling: the caseworker's counter of the day, "next" (by the queue order), a call from the
list, calling again (not too soon; the last unanswered call asks before it marks a no-show),
parking and forwarding, no-shows, and taking over a colleague's resident (logged)."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import lifecycle
from ..audit import log_event
from ..errors import (
    ConfirmationRequired,
    HandledByColleague,
    NoCounter,
    QueueEmpty,
    RecallTooSoon,
    TransitionNotAllowed,
)
from ..models import Appointment, Counter, CounterChoice, Status
from ..selectors import walk_in_due
from .order import count_call, sequence, waiting

# A colleague's resident in these statuses is refused unless taken over explicitly.
HANDLED = (Status.CALLED, Status.IN_SERVICE)


def _person(actor):
    return actor if actor is not None and actor.is_authenticated else None


def staff_name(user):
    return (user.get_full_name() or user.get_username()) if user else ""


# --- The counter of the day --------------------------------------------------------------------


@transaction.atomic
def choose_counter(*, user, counter, now=None):
    """Remember `counter` as the user's counter in its team for today (survives logouts)."""
    day = timezone.localdate(now or timezone.now())
    CounterChoice.objects.update_or_create(
        user=user, day=day, team_id=counter.team_id, defaults={"counter": counter}
    )
    return counter


def counter_of_day(*, user, team, now=None):
    """The active counter the user chose today in `team`, or None."""
    if _person(user) is None:
        return None
    day = timezone.localdate(now or timezone.now())
    return Counter.objects.filter(
        pk__in=CounterChoice.objects.filter(user=user, day=day, team=team).values("counter"),
        active=True,
    ).first()


# --- Who handles a resident --------------------------------------------------------------------


def ensure_handler(appointment, *, actor):
    """Refuse a move on a resident a colleague has called or is serving (see `take_over`)."""
    actor = _person(actor)
    owner = appointment.served_by_id
    if appointment.status not in HANDLED or actor is None or owner in (None, actor.pk):
        return
    raise HandledByColleague(
        _(
            "%(name)s has called or is serving this resident. Use “Take over” if you "
            "really mean to continue."
        )
        % {"name": staff_name(appointment.served_by)}
    )


@transaction.atomic
def take_over(*, appointment_id, actor, now=None):
    """Take over a resident a colleague has called or is serving (logged with both names)."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_related("served_by").get(pk=appointment_id)
    if appointment.status not in HANDLED or _person(actor) is None:
        raise TransitionNotAllowed()
    if appointment.served_by_id == actor.pk:
        return appointment
    updated = Appointment.objects.filter(
        pk=appointment.pk, status=appointment.status, served_by_id=appointment.served_by_id
    ).update(served_by=actor)
    if not updated:
        raise TransitionNotAllowed(_("Someone else has just changed this appointment."))
    log_event(
        action="appointment.taken_over",
        appointment=appointment,
        actor=actor,
        at=now,
        status=appointment.status,
        from_user=appointment.served_by_id,
    )
    appointment.refresh_from_db()
    return appointment


# --- Calls -------------------------------------------------------------------------------------


def _call(appointment, *, actor, counter, now, from_statuses):
    if counter is None:
        raise NoCounter()
    if counter.team_id != appointment.queue_team_id or not counter.active:
        raise NoCounter(_("Please choose one of this team's counters."))
    if appointment.status not in from_statuses:
        raise TransitionNotAllowed()
    return lifecycle.move(
        appointment_id=appointment.pk,
        to_status=Status.CALLED,
        actor=actor,
        now=now,
        extra_fields={
            "call_count": F("call_count") + 1,
            "first_called_at": appointment.first_called_at or now,
            "counter": counter,
            "served_by": _person(actor),
            "parked_at": None,
        },
        counter=counter.number,
    )


def call_next(*, team, counter=None, actor=None, now=None):
    """Call the next waiting resident by the queue order (queue.order); two callers never get
    the same person. Needs the caller's counter."""
    now = now or timezone.now()
    if counter is None:
        raise NoCounter()
    day = timezone.localdate(now)
    for _attempt in range(5):
        with transaction.atomic():
            # the team's row serialises the policy's count of calls in a row
            row = sequence(team, day).select_for_update().get()
            candidate = (
                waiting(team, now=now, walk_in_turn=walk_in_due(row.appointment_calls_in_row))
                .select_for_update(skip_locked=True, of=("self",))
                .first()
            )
            if candidate is None:
                raise QueueEmpty()
            try:
                called = _call(
                    candidate,
                    actor=actor,
                    counter=counter,
                    now=now,
                    from_statuses=(Status.CHECKED_IN,),
                )
            except TransitionNotAllowed:
                continue  # someone else called this one in the meantime: take the next
            count_call(team, day=day, appointment=called)
            return called
    raise QueueEmpty()


@transaction.atomic
def call(*, appointment_id, counter=None, actor=None, now=None):
    """Call one specific waiting (or parked) resident to the caller's counter."""
    appointment = Appointment.objects.get(pk=appointment_id)
    return _call(
        appointment,
        actor=actor,
        counter=counter,
        now=now or timezone.now(),
        from_statuses=(Status.CHECKED_IN,),
    )


@transaction.atomic
def recall(*, appointment_id, counter=None, actor=None, confirm=False, now=None):
    """Call again, not sooner than QUEUE_RECALL_MIN_SECONDS after the last call. Once the
    calls are used up the resident counts as not there (no-show): only with `confirm`."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_related("served_by", "counter").get(pk=appointment_id)
    if appointment.status != Status.CALLED:
        raise TransitionNotAllowed()
    ensure_handler(appointment, actor=actor)
    wait = dt.timedelta(seconds=settings.QUEUE_RECALL_MIN_SECONDS)
    if appointment.called_at and now < appointment.called_at + wait:
        left = int((appointment.called_at + wait - now).total_seconds()) + 1
        raise RecallTooSoon(
            _("Called %(ago)s s ago: please wait %(left)s s more before calling again.")
            % {"ago": int((now - appointment.called_at).total_seconds()), "left": left}
        )
    if appointment.call_count >= settings.MAX_UNANSWERED_CALLS:
        if not confirm:
            raise ConfirmationRequired(
                _(
                    "%(number)s has been called %(count)s times without answering. Mark as "
                    "not there (no-show)?"
                )
                % {"number": appointment.waiting_number, "count": appointment.call_count}
            )
        return lifecycle.move(
            appointment_id=appointment.pk,
            to_status=Status.NO_SHOW,
            actor=actor,
            now=now,
            reason="not answering calls",
            calls=appointment.call_count,
        )
    return _call(
        appointment,
        actor=actor,
        counter=counter or appointment.counter,
        now=now,
        from_statuses=(Status.CALLED,),
    )


@transaction.atomic
def mark_no_show(*, appointment_id, actor=None, confirm=False, now=None):
    """Mark a waiting or called resident as not there; only with `confirm` (it is undone
    only by reception readmitting them today)."""
    appointment = Appointment.objects.select_related("served_by").get(pk=appointment_id)
    ensure_handler(appointment, actor=actor)
    if not lifecycle.can_move(appointment.status, Status.NO_SHOW):
        raise TransitionNotAllowed()
    if not confirm:
        raise ConfirmationRequired(
            _("Mark %(number)s as not there (no-show)?")
            % {"number": appointment.waiting_number or appointment.code}
        )
    return lifecycle.move(
        appointment_id=appointment_id,
        to_status=Status.NO_SHOW,
        actor=actor,
        now=now or timezone.now(),
        reason="marked by staff",
    )


# --- Back to a queue ---------------------------------------------------------------------------


def _back_to_queue(appointment_id, *, actor, now, extra_fields, **event_data):
    appointment = Appointment.objects.select_related("served_by").get(pk=appointment_id)
    if appointment.status not in HANDLED:
        raise TransitionNotAllowed()
    ensure_handler(appointment, actor=actor)
    return appointment, lifecycle.move(
        appointment_id=appointment_id,
        to_status=Status.CHECKED_IN,
        actor=actor,
        now=now,
        # the calls start anew; the waiting time still counts from the first arrival
        extra_fields={
            "counter": None,
            "call_count": 0,
            "checked_in_at": appointment.checked_in_at or now,
            **extra_fields,
        },
        from_service=appointment.status == Status.IN_SERVICE,
        **event_data,
    )


@transaction.atomic
def park(*, appointment_id, actor=None, now=None):
    """Send a called or served resident back to wait (e.g. to fetch a document); "next" leaves
    them out until they are called from the list."""
    now = now or timezone.now()
    _before, parked = _back_to_queue(
        appointment_id, actor=actor, now=now, extra_fields={"parked_at": now}, parked=True
    )
    return parked


@transaction.atomic
def forward(*, appointment_id, team, actor=None, now=None):
    """Hand a called or served resident on to another team's queue (keeping the waiting
    number and the original waiting time)."""
    appointment = Appointment.objects.get(pk=appointment_id)
    if appointment.queue_team_id == team.pk:
        raise TransitionNotAllowed(_("The resident is already in this team's queue."))
    _before, moved = _back_to_queue(
        appointment_id,
        actor=actor,
        now=now or timezone.now(),
        extra_fields={"queue_team": team, "parked_at": None, "served_by": None},
        forwarded_to=team.pk,
        forwarded_from=appointment.queue_team_id,
    )
    return moved
