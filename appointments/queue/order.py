"""The order of the team's queue: priority levels and the interleaving policy of "next".

Levels (Priority): emergency, walk-in, appointment. The next call takes, in this order:

1. emergencies (QUEUE_EMERGENCIES_FIRST), by arrival;
2. a walk-in, when QUEUE_WALKIN_EVERY_N_CALLS - 1 appointments were called by "next" in a row
   since the last walk-in (so every Nth call goes to a walk-in while one waits);
3. appointments that are due (their time has come, or comes within
   QUEUE_APPOINTMENT_DUE_MINUTES), by appointment time, then arrival;
4. walk-ins, by arrival;
5. appointments not yet due (early arrivals), by appointment time.

README's staff section describes the same policy for the office; the queue page shows each
waiting resident's level and sorts by this order.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone

from ..availability import day_bounds
from ..models import Appointment, DailySequence, Priority, Status

EMERGENCY, WALK_IN_DUE, APPOINTMENT_DUE, WALK_IN, APPOINTMENT_EARLY = range(5)


def sequence(team, day):
    """The team's counter row of the day (waiting numbers, walk-ins, the calls in a row)."""
    DailySequence.objects.bulk_create([DailySequence(team=team, day=day)], ignore_conflicts=True)
    return DailySequence.objects.filter(team=team, day=day)


def _due_until(now):
    return now + dt.timedelta(minutes=settings.QUEUE_APPOINTMENT_DUE_MINUTES)


def rank(*, priority, start, now, walk_in_turn=False):
    """The level in the call order (lower is called first) of a waiting resident with this
    priority and appointment time (plain values: the queue board reads rows, not models)."""
    if priority == Priority.EMERGENCY and settings.QUEUE_EMERGENCIES_FIRST:
        return EMERGENCY
    if priority >= Priority.WALK_IN:
        return WALK_IN_DUE if walk_in_turn else WALK_IN
    return APPOINTMENT_DUE if start <= _due_until(now) else APPOINTMENT_EARLY


def sort_key(*, priority, start, checked_in_at, pk, now, walk_in_turn=False):
    """The place in the call order: the same order as `waiting` reads from the database."""
    level = rank(priority=priority, start=start, now=now, walk_in_turn=walk_in_turn)
    return (level, start, checked_in_at, pk)


def _rank_expression(*, now, walk_in_turn):
    walk_in = Q(priority__gte=Priority.WALK_IN)
    whens = []
    if settings.QUEUE_EMERGENCIES_FIRST:
        whens.append(When(priority=Priority.EMERGENCY, then=Value(EMERGENCY)))
    whens += [
        When(walk_in, then=Value(WALK_IN_DUE if walk_in_turn else WALK_IN)),
        When(slot__start__lte=_due_until(now), then=Value(APPOINTMENT_DUE)),
    ]
    return Case(*whens, default=Value(APPOINTMENT_EARLY), output_field=IntegerField())


def waiting(team, *, now=None, walk_in_turn=False):
    """The team's callable queue today (parked residents left out), in call order."""
    now = now or timezone.now()
    start, end = day_bounds(timezone.localdate(now))
    return (
        Appointment.objects.filter(
            queue_team=team,
            status=Status.CHECKED_IN,
            parked_at__isnull=True,
            checked_in_at__gte=start,
            checked_in_at__lt=end,
        )
        .annotate(call_rank=_rank_expression(now=now, walk_in_turn=walk_in_turn))
        .order_by("call_rank", "slot__start", "checked_in_at", "pk")
    )


def count_call(team, *, day, appointment):
    """After a "next" call: a walk-in ends the run of appointment calls, an appointment
    extends it (emergencies leave it as it is)."""
    rows = DailySequence.objects.filter(team=team, day=day)
    if appointment.priority == Priority.WALK_IN:
        rows.update(appointment_calls_in_row=0)
    elif appointment.priority == Priority.APPOINTMENT:
        rows.update(appointment_calls_in_row=F("appointment_calls_in_row") + 1)
