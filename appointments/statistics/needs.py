"""Needs stated up front, per week: how many visits need an interpreter (per language), sign
language, wheelchair access or bring a companion, so supervisors can plan interpreters.

Counted over the appointments of the weeks (the coming ones are what planning needs), not
over the daily figures table: cancelled and expired ones are left out, and a group booking
counts once (its persons share one visit and one set of needs).
"""

import datetime as dt
import zoneinfo

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek

from ..availability import day_bounds
from ..models import Appointment, Status

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _language(value):
    return " ".join(value.split()).casefold().title() or "?"


def needs_per_week(*, date_from, date_to, team=None, service=None):
    """One row per week (Monday) from `date_from` to `date_to`: visits, needs, languages."""
    start, _end = day_bounds(date_from)
    _start, end = day_bounds(date_to)
    found = Appointment.objects.filter(slot__start__gte=start, slot__start__lt=end).exclude(
        status__in=(Status.CANCELLED, Status.EXPIRED)
    )
    if team is not None:
        found = found.filter(slot__team=team)
    if service is not None:
        found = found.filter(service=service)
    grouped = (
        found.annotate(week=TruncWeek("slot__start", tzinfo=BERLIN))
        .values(
            "week",
            "interpreter_needed",
            "interpreter_language",
            "needs_wheelchair",
            "needs_sign_language",
            "needs_companion",
        )
        .annotate(
            single=Count("pk", filter=Q(party__isnull=True)), parties=Count("party", distinct=True)
        )
    )
    weeks = {}
    monday = date_from - dt.timedelta(days=date_from.weekday())
    while monday <= date_to:
        weeks[monday] = {"week": monday, "visits": 0, "interpreter": 0, "languages": {},
                         "sign_language": 0, "wheelchair": 0, "companion": 0}  # fmt: skip
        monday += dt.timedelta(days=7)
    for group in grouped:
        week = group["week"]
        week = week.astimezone(BERLIN).date() if isinstance(week, dt.datetime) else week
        row = weeks.get(week)
        if row is None:
            continue
        visits = group["single"] + group["parties"]
        row["visits"] += visits
        if group["interpreter_needed"]:
            row["interpreter"] += visits
            language = _language(group["interpreter_language"])
            row["languages"][language] = row["languages"].get(language, 0) + visits
        for need in ("sign_language", "wheelchair", "companion"):
            if group[f"needs_{need}"]:
                row[need] += visits
    for row in weeks.values():
        row["languages"] = sorted(row["languages"].items(), key=lambda item: (-item[1], item[0]))
    return list(weeks.values())
