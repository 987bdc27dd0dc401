"""Closed days as residents see them: which office days of a window are closed (public
holiday, extra closed day or a closure covering the team's opening hours) and which release
is the next one that actually opens a day."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from .availability import local_datetime, next_release, office_closed
from .models import Closure, OpeningRule

# How far the release hint looks for an open day (a long closure plus weekends).
_SEARCH_DAYS = 62


@dataclass(frozen=True)
class ClosedDay:
    day: dt.date
    reason: str  # as entered by staff, or the public holiday's name


def _rules(service, team, date_from, date_to):
    rules = OpeningRule.objects.filter(services=service, valid_from__lte=date_to).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=date_from)
    )
    if team is not None:
        rules = rules.filter(team=team)
    return list(
        rules.only("team_id", "weekday", "start_time", "end_time", "valid_from", "valid_until")
    )


def _closures(team, date_from, date_to):
    closures = Closure.objects.filter(
        start__lt=local_datetime(date_to + dt.timedelta(days=1), dt.time.min),
        end__gt=local_datetime(date_from, dt.time.min),
    )
    if team is not None:
        closures = closures.filter(Q(team__isnull=True) | Q(team=team))
    return list(closures.order_by("start"))


def _windows(rules, day):
    return [
        (local_datetime(day, rule.start_time), local_datetime(day, rule.end_time), rule.team_id)
        for rule in rules
        if rule.weekday == day.weekday()
        and rule.valid_from <= day
        and (rule.valid_until is None or rule.valid_until >= day)
    ]


def _closure_over(closures, windows):
    """The closure that covers every opening window of the day, or None."""
    for closure in closures:
        if all(
            closure.start <= start
            and closure.end >= end
            and (closure.team_id is None or closure.team_id == team_id)
            for start, end, team_id in windows
        ):
            return closure
    return None


def _classify(service, team, date_from, date_to):
    """{day: reason or None} for every office day (a day with opening rules) in the range."""
    rules = _rules(service, team, date_from, date_to)
    closures = _closures(team, date_from, date_to)
    days = {}
    day = date_from
    while day <= date_to:
        windows = _windows(rules, day)
        if windows:
            holiday = office_closed(day)
            closure = None if holiday else _closure_over(closures, windows)
            days[day] = holiday or (closure.reason if closure else None)
        day += dt.timedelta(days=1)
    return days


def closed_days(*, service, team, date_from, date_to):
    """(closed, all_closed): the office days between two dates on which `team` (None: any)
    is closed, in order, and whether every office day of the range is closed."""
    if date_from > date_to:
        return [], False
    classified = _classify(service, team, date_from, date_to)
    closed = [ClosedDay(day, reason) for day, reason in classified.items() if reason]
    return closed, bool(closed) and len(closed) == len(classified)


def next_open_release(service, *, team=None, now=None):
    """(moment, day) of the next release that opens a day on which the office is open; the
    plain next release when none is found within the search range."""
    moment, day = next_release(service, now=now)
    classified = _classify(service, team, day, day + dt.timedelta(days=_SEARCH_DAYS))
    for offset in range(_SEARCH_DAYS + 1):
        candidate = day + dt.timedelta(days=offset)
        if candidate in classified and classified[candidate] is None:
            return local_datetime(
                moment.date() + dt.timedelta(days=offset), service.release_time
            ), candidate
    return moment, day
