"""Prepared reads that screens and the API share (so templates never trigger queries)."""

import datetime as dt
import math

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from .availability import day_bounds
from .codes import is_valid_code
from .models import (
    Appointment,
    Channel,
    Closure,
    DailySequence,
    Service,
    Slot,
    Status,
    Team,
)


def bookable_services():
    return Service.objects.filter(active=True).order_by("sort_order", "name")


def appointment_for_display(code):
    if not is_valid_code(code):
        return None
    return (
        Appointment.objects.select_related("slot", "slot__team", "service")
        .filter(code=code)
        .first()
    )


def case_history(appointment):
    """The visits of `appointment`'s case (itself alone without a case), oldest first, with
    their outcomes and notes: one query, so the visit page shows it without further reads."""
    if appointment.case_id is None:
        visits = Appointment.objects.filter(pk=appointment.pk)
    else:
        visits = Appointment.objects.filter(case_id=appointment.case_id)
    return list(
        visits.select_related("slot", "slot__team", "service", "served_by").order_by(
            "slot__start", "pk"
        )
    )


def booked_follow_up(history):
    """The follow-up visit still to come in a case history (booked or checked in), or None."""
    return next(
        (
            visit
            for visit in history
            if visit.channel == Channel.FOLLOW_UP
            and visit.status in (Status.BOOKED, Status.CHECKED_IN)
        ),
        None,
    )


# --- The office day ------------------------------------------------------------------------


def team_day(team, *, day=None, now=None):
    """All appointments of a team's day (booked there or forwarded to it): two indexed
    queries, the day's slots (by start) and then their appointments (by slot). One query
    with `queue_team = team OR slot's team = team` could use no index for the appointments
    (the OR spans two tables) and read every appointment the team ever had."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    start, end = day_bounds(day)
    slots = Slot.objects.filter(start__gte=start, start__lt=end).values_list("pk", "team_id")
    day_slots, own = [], []
    for pk, team_id in slots:
        day_slots.append(pk)
        if team_id == team.pk:
            own.append(pk)
    return (
        Appointment.objects.filter(slot_id__in=day_slots)
        .filter(Q(queue_team=team) | Q(queue_team__isnull=True, slot_id__in=own))
        .exclude(status__in=(Status.HELD, Status.EXPIRED))
        .select_related("slot", "service", "counter", "queue_team", "served_by")
        .order_by("slot__start", "pk")
    )


BOARD_FIELDS = (
    "pk",
    "status",
    "waiting_number",
    "priority",
    "arrived_late",
    "checked_in_at",
    "parked_at",
    "call_count",
    "slot__start",
    "service__name",
    "counter__number",
    "served_by__username",
    "served_by__first_name",
    "served_by__last_name",
    "party_id",
    "interpreter_needed",
    "interpreter_language",
    "needs_sign_language",
    "needs_wheelchair",
    "needs_companion",
    "needs_note",
)


def board_day(team, *, now=None):
    """team_day for the live queue board as plain rows (dicts of BOARD_FIELDS): one query
    however many, no model instances and no translated texts decoded (the board shows the
    services' German names)."""
    return list(team_day(team, now=now).values(*BOARD_FIELDS))


def walk_in_turn(team, *, now=None):
    """Whether the queue policy gives the team's next "next" call to a waiting walk-in."""
    day = timezone.localdate(now or timezone.now())
    row = DailySequence.objects.filter(team=team, day=day).values("appointment_calls_in_row")
    return walk_in_due(row[0]["appointment_calls_in_row"] if row else 0)


def walk_ins_left(day):
    """Per active team: the walk-in places of the day and how many are left."""
    used = dict(DailySequence.objects.filter(day=day).values_list("team_id", "walk_ins"))
    teams = Team.objects.filter(active=True).order_by("name")
    return [
        (team, team.walk_in_daily_limit, max(team.walk_in_daily_limit - used.get(team.pk, 0), 0))
        for team in teams
    ]


def walk_in_due(appointment_calls_in_row):
    """QUEUE_WALKIN_EVERY_N_CALLS: after N - 1 appointments called by "next" in a row, the
    next call goes to a waiting walk-in (0: never ahead of a due appointment)."""
    every = settings.QUEUE_WALKIN_EVERY_N_CALLS
    return every > 0 and appointment_calls_in_row >= every - 1


def display_calls(teams, *, now=None, limit=8):
    """The latest calls of today for a waiting-room display: numbers and counters only.

    Only people called and not yet at the counter: once service starts (or the visit ends,
    or a no-show is marked) the number leaves the list.
    """
    start, end = day_bounds(timezone.localdate(now or timezone.now()))
    return list(
        Appointment.objects.filter(
            queue_team__in=teams,
            status=Status.CALLED,
            called_at__gte=start,
            called_at__lt=end,
        )
        .order_by("-called_at")
        .values("waiting_number", "counter__number", "called_at", "call_count")[:limit]
    )


def waiting_estimate(team, *, now=None):
    """Estimated waiting time of `team` for someone checking in now, as ZMS shows it.

    minutes = ceil(waiting × service minutes / counters), rounded up to 5 minutes, where
    waiting = people checked in today and not parked; service minutes = the mean of today's
    last DISPLAY_ESTIMATE_SAMPLE finished visits (service start → end), or
    DISPLAY_DEFAULT_SERVICE_MINUTES before the first; counters = the team's counters that called
    someone in the last DISPLAY_ACTIVE_COUNTER_MINUTES (at least one). Returns
    {"team": name, "waiting": n, "minutes": m}: no personal data.
    """
    now = now or timezone.now()
    start, end = day_bounds(timezone.localdate(now))
    today = Appointment.objects.filter(
        queue_team=team, checked_in_at__gte=start, checked_in_at__lt=end
    )
    waiting = today.filter(status=Status.CHECKED_IN, parked_at__isnull=True).count()
    return {
        "team": team.name,
        "waiting": waiting,
        "minutes": estimate_minutes(team, waiting, now=now),
    }


def estimate_minutes(team, waiting, *, now=None):
    """Minutes until `waiting` people of `team` are served at the measured pace (see
    waiting_estimate), rounded up to 5; the call display and the live wait page share it."""
    now = now or timezone.now()
    start, end = day_bounds(timezone.localdate(now))
    today = Appointment.objects.filter(
        queue_team=team, checked_in_at__gte=start, checked_in_at__lt=end
    )
    durations = [
        (done - began).total_seconds() / 60
        for began, done in today.filter(
            status=Status.COMPLETED, in_service_at__isnull=False, completed_at__isnull=False
        )
        .order_by("-completed_at")
        .values_list("in_service_at", "completed_at")[: settings.DISPLAY_ESTIMATE_SAMPLE]
    ]
    service = (
        sum(durations) / len(durations) if durations else settings.DISPLAY_DEFAULT_SERVICE_MINUTES
    )
    recent = now - dt.timedelta(minutes=settings.DISPLAY_ACTIVE_COUNTER_MINUTES)
    counters = (
        Appointment.objects.filter(queue_team=team, called_at__gte=recent, counter__isnull=False)
        .values("counter")
        .distinct()
        .count()
    )
    minutes = math.ceil(waiting * service / max(counters, 1))
    return math.ceil(minutes / 5) * 5


# --- Capacity ------------------------------------------------------------------------------


def teams_overview(*, now=None):
    """All teams with the number of opening rules, active counters and coming closures."""
    now = now or timezone.now()
    return Team.objects.annotate(
        rule_count=Count("opening_rules", distinct=True),
        counter_count=Count("counters", filter=Q(counters__active=True), distinct=True),
        closure_count=Count("closures", filter=Q(closures__end__gt=now), distinct=True),
    ).order_by("name")


def coming_closures(*, team=None, now=None):
    """Closures that have not ended: of `team` and of the whole office (team None: office only)."""
    now = now or timezone.now()
    scope = Q(team__isnull=True) | Q(team=team) if team else Q(team__isnull=True)
    return Closure.objects.filter(scope, end__gt=now).select_related("team").order_by("start")
