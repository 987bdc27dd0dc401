"""The visit in the office: check-in with waiting numbers, walk-ins, the team queue and its
moves (call, recall, park, forward, serve, finish), no-shows and follow-up visits.

Every move goes through lifecycle.move (a guarded UPDATE on the status), so double clicks and
two caseworkers acting on one person at once resolve to one winner.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import booking, lifecycle
from .availability import available_days, day_bounds
from .errors import (
    LimitReached,
    NoFollowUp,
    QueueEmpty,
    TooEarly,
    TooLate,
    TransitionNotAllowed,
    WalkInsExhausted,
    WrongDay,
)
from .models import (
    Appointment,
    Case,
    Channel,
    Contingent,
    DailySequence,
    Outcome,
    Slot,
    Status,
)
from .people import Person
from .responsibility import responsible_team


def _today_bounds(now):
    return day_bounds(timezone.localdate(now))


def _sequence(team, day):
    DailySequence.objects.bulk_create([DailySequence(team=team, day=day)], ignore_conflicts=True)
    return DailySequence.objects.filter(team=team, day=day)


def next_waiting_number(team, *, now):
    """The team's next waiting number of the day, e.g. "B-017" (in the caller's transaction)."""
    sequence = _sequence(team, timezone.localdate(now))
    sequence.update(last=F("last") + 1)
    return f"{team.waiting_prefix}-{sequence.get().last:03d}"


@transaction.atomic
def check_in(*, appointment_id, actor=None, accept_late=False, now=None):
    """Reception checks a booked resident in: a waiting number, and the team's queue."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_related("slot__team").get(pk=appointment_id)
    if appointment.status != Status.BOOKED:
        raise TransitionNotAllowed(
            _("Only booked appointments can be checked in (this one is “%(status)s”).")
            % {"status": appointment.get_status_display()}
        )
    start = appointment.slot.start
    if timezone.localdate(start) != timezone.localdate(now):
        raise WrongDay()
    if now < start - dt.timedelta(minutes=settings.ARRIVAL_EARLY_MINUTES):
        raise TooEarly()
    late = now > start + dt.timedelta(minutes=settings.ARRIVAL_LATE_MINUTES)
    if now > start + dt.timedelta(minutes=settings.ARRIVAL_REFUSE_MINUTES) and not accept_late:
        raise TooLate()
    team = appointment.slot.team
    return lifecycle.move(
        appointment_id=appointment.pk,
        to_status=Status.CHECKED_IN,
        actor=actor,
        now=now,
        extra_fields={
            "queue_team": team,
            "waiting_number": next_waiting_number(team, now=now),
            "arrived_late": late,
        },
        late=late,
    )


@transaction.atomic
def add_walk_in(*, team, service, person, priority=1, actor=None, now=None):
    """An urgent visit without appointment (e.g. the permit expires within days), from the
    team's daily walk-in contingent; the resident joins the queue at once."""
    now = now or timezone.now()
    taken = (
        _sequence(team, timezone.localdate(now))
        .filter(walk_ins__lt=team.walk_in_daily_limit)
        .update(walk_ins=F("walk_ins") + 1)
    )
    if not taken:
        raise WalkInsExhausted()
    # A walk-in gets its own closed one-place slot, so every slot keeps booked == holders.
    slot = Slot.objects.create(
        team=team,
        start=now,
        end=now + dt.timedelta(minutes=service.duration_minutes),
        contingent=Contingent.INTERNAL,
        capacity=1,
        booked=1,
        closed=True,
    )
    appointment, _token = booking.create_appointment(
        slot=slot,
        service=service,
        person=person,
        channel=Channel.WALK_IN,
        status=Status.BOOKED,
        priority=priority,
        actor=actor,
        now=now,
        duplicate_error=LimitReached(
            _("This person already has an open appointment for this concern: check them in.")
        ),
    )
    return lifecycle.move(
        appointment_id=appointment.pk,
        to_status=Status.CHECKED_IN,
        actor=actor,
        now=now,
        extra_fields={"queue_team": team, "waiting_number": next_waiting_number(team, now=now)},
    )


def _call(appointment, *, actor, counter, now, from_statuses):
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
            "served_by": actor if actor is not None and actor.is_authenticated else None,
            "parked_at": None,
        },
        counter=counter.number if counter else None,
    )


def waiting(team, *, now=None):
    """The team's callable queue today, in call order: priority, appointment time, arrival."""
    start, end = _today_bounds(now or timezone.now())
    return Appointment.objects.filter(
        queue_team=team,
        status=Status.CHECKED_IN,
        parked_at__isnull=True,
        checked_in_at__gte=start,
        checked_in_at__lt=end,
    ).order_by("-priority", "slot__start", "checked_in_at", "pk")


def call_next(*, team, counter=None, actor=None, now=None):
    """Call the next waiting resident of the team; two callers never get the same person."""
    now = now or timezone.now()
    for _attempt in range(5):
        with transaction.atomic():
            candidate = (
                waiting(team, now=now).select_for_update(skip_locked=True, of=("self",)).first()
            )
            if candidate is None:
                raise QueueEmpty()
            try:
                return _call(
                    candidate,
                    actor=actor,
                    counter=counter,
                    now=now,
                    from_statuses=(Status.CHECKED_IN,),
                )
            except TransitionNotAllowed:
                continue  # someone else called this one in the meantime: take the next
    raise QueueEmpty()


@transaction.atomic
def call(*, appointment_id, counter=None, actor=None, now=None):
    """Call one specific waiting (or parked) resident."""
    appointment = Appointment.objects.get(pk=appointment_id)
    return _call(
        appointment,
        actor=actor,
        counter=counter,
        now=now or timezone.now(),
        from_statuses=(Status.CHECKED_IN,),
    )


@transaction.atomic
def recall(*, appointment_id, actor=None, now=None):
    """Call again; once the calls are used up the resident counts as not there (no-show)."""
    now = now or timezone.now()
    appointment = Appointment.objects.get(pk=appointment_id)
    if appointment.status != Status.CALLED:
        raise TransitionNotAllowed()
    if appointment.call_count >= settings.MAX_UNANSWERED_CALLS:
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
        counter=appointment.counter,
        now=now,
        from_statuses=(Status.CALLED,),
    )


@transaction.atomic
def park(*, appointment_id, actor=None, now=None):
    """Send a called resident back to wait (e.g. to fetch a document); not called by "next"."""
    now = now or timezone.now()
    return lifecycle.move(
        appointment_id=appointment_id,
        to_status=Status.CHECKED_IN,
        actor=actor,
        now=now,
        extra_fields={"parked_at": now, "counter": None},
        parked=True,
    )


@transaction.atomic
def forward(*, appointment_id, team, actor=None, now=None):
    """Hand a called resident on to another team's queue (keeping the waiting number)."""
    appointment = Appointment.objects.get(pk=appointment_id)
    if appointment.queue_team_id == team.pk:
        raise TransitionNotAllowed(_("The resident is already in this team's queue."))
    return lifecycle.move(
        appointment_id=appointment_id,
        to_status=Status.CHECKED_IN,
        actor=actor,
        now=now or timezone.now(),
        extra_fields={"queue_team": team, "parked_at": None, "counter": None},
        forwarded_to=team.pk,
        forwarded_from=appointment.queue_team_id,
    )


@transaction.atomic
def start_service(*, appointment_id, actor=None, now=None):
    return lifecycle.move(
        appointment_id=appointment_id,
        to_status=Status.IN_SERVICE,
        actor=actor,
        now=now or timezone.now(),
        extra_fields={"served_by": actor if actor is not None and actor.is_authenticated else None},
    )


@transaction.atomic
def finish(*, appointment_id, outcome, note="", actor=None, now=None):
    """Finish the visit with its outcome; the case is complete unless a follow-up is due."""
    now = now or timezone.now()
    if outcome not in Outcome.values:
        raise TransitionNotAllowed(_("Please choose an outcome."))
    appointment = lifecycle.move(
        appointment_id=appointment_id,
        to_status=Status.COMPLETED,
        actor=actor,
        now=now,
        extra_fields={"outcome": outcome, "internal_note": note.strip()[:500]},
        outcome=outcome,
    )
    needs_follow_up = (
        outcome == Outcome.APPLICATION_FILED and appointment.service.follow_up_service_id
    )
    if appointment.case_id and outcome != Outcome.DOCUMENTS_MISSING and not needs_follow_up:
        Case.objects.filter(pk=appointment.case_id, completed_at__isnull=True).update(
            completed_at=now
        )
    return appointment


@transaction.atomic
def mark_no_show(*, appointment_id, actor=None, now=None):
    return lifecycle.move(
        appointment_id=appointment_id,
        to_status=Status.NO_SHOW,
        actor=actor,
        now=now or timezone.now(),
        reason="marked by staff",
    )


def follow_up_slots(appointment, *, date_from, date_to, now=None):
    """Free slots (both contingents) for the appointment's follow-up service and team."""
    service = appointment.service.follow_up_service
    if service is None:
        raise NoFollowUp()
    team = responsible_team(
        service=service, surname=appointment.surname, nationality=str(appointment.nationality)
    )
    return service, available_days(
        service=service,
        team=team,
        date_from=date_from,
        date_to=date_to,
        contingents=(Contingent.INTERNAL, Contingent.ONLINE),
        now=now,
        respect_release=False,
    )


@transaction.atomic
def book_follow_up(*, appointment_id, slot_id, actor=None, now=None):
    """Book the second visit (e.g. card pickup) for the same person and case; the resident
    gets the confirmation mail."""
    appointment = Appointment.objects.select_related("service").get(pk=appointment_id)
    if appointment.status != Status.COMPLETED:
        raise TransitionNotAllowed(_("A follow-up visit is booked after the visit is finished."))
    service = appointment.service.follow_up_service
    if service is None:
        raise NoFollowUp()
    person = Person.of(appointment)
    follow_up, _token = booking.book(
        service=service,
        slot_id=slot_id,
        person=person,
        channel=Channel.FOLLOW_UP,
        actor=actor,
        case=appointment.case,
        now=now,
    )
    return follow_up


# --- Reads for the screens ------------------------------------------------------------------
