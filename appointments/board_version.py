"""The version of each team's queue board for today: one number per team and day, bumped in the
transaction of every change to one of the day's appointments (audit.log_event calls `bump`), so
a caseworker's screen that already shows that version gets a 304 instead of the whole day."""

import datetime as dt

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from .models import Appointment, DailySequence, Slot


def current(team, *, day):
    """The board version of `team`'s `day`. Read it before reading the board: a change that
    commits in between shows on the board and bumps the version, so it is re-sent next time."""
    versions = list(
        DailySequence.objects.filter(team=team, day=day).values_list("board_version", flat=True)
    )
    if versions:
        return versions[0]
    # From now on changes of this day bump the row (before it existed there was nothing to bump:
    # no screen had a version of the day yet).
    DailySequence.objects.bulk_create([DailySequence(team=team, day=day)], ignore_conflicts=True)
    return 0


def annotate(teams, *, day):
    """`teams` with each one's board version of `day` as `board_version`, read in the same
    query (None while the day has no row yet: `current` then makes it)."""
    versions = DailySequence.objects.filter(team=OuterRef("pk"), day=day)
    return teams.annotate(board_version=Subquery(versions.values("board_version")[:1]))


def _today_bounds():
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
    return today, start, end


def bump_many(appointments):
    """`bump` for each of `appointments` (no queries for those whose slot is at hand and not
    today, the bounds of today computed once)."""
    _today, start, end = _today_bounds()
    for appointment in appointments:
        if Appointment.slot.field.is_cached(appointment) and not (
            start <= appointment.slot.start < end
        ):
            continue
        bump(appointment)


def bump(appointment, *, slot_ids=(), team_ids=()):
    """Bump today's board version of the teams of `appointment` (its slot's team, its queue team
    and the further `team_ids`) if its slot, or one of the `slot_ids` it moved from or to, lies
    today: one UPDATE, none when its slot is at hand and not today."""
    today, start, end = _today_bounds()
    slots = {pk for pk in (appointment.slot_id, *slot_ids) if pk}
    teams = {pk for pk in (appointment.queue_team_id, *team_ids) if pk}
    if not slots:
        return
    if slots == {appointment.slot_id} and Appointment.slot.field.is_cached(appointment):
        if not start <= appointment.slot.start < end:
            return
        rows = DailySequence.objects.filter(team_id__in={*teams, appointment.slot.team_id})
    else:
        todays = Slot.objects.filter(pk__in=slots, start__gte=start, start__lt=end)
        rows = DailySequence.objects.filter(
            Q(team_id__in=todays.values("team_id")) | (Q(team_id__in=teams) & Q(Exists(todays)))
        )
    rows.filter(day=today).update(board_version=F("board_version") + 1)
