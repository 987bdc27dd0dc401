"""Breakdowns read from the appointment rows, because the daily figures are not split that
way: by caseworker (who served, how long) and by the resident's language. Both use only what
retention keeps when it pseudonymises an appointment (served_by, the status timestamps, the
language), so old figures stay the same. One query each.
"""

import datetime as dt

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from ..models import Appointment, Channel
from . import definitions as d
from .aggregation import day_start
from .reports import percent


def _appointments(filters):
    """Booked appointments and walk-ins whose slot starts in the filters' date range."""
    rows = Appointment.objects.filter(
        d.was_booked(),
        slot__start__gte=day_start(filters.date_from),
        slot__start__lt=day_start(filters.date_to + dt.timedelta(days=1)),
    )
    if filters.team_id:
        rows = rows.filter(slot__team_id=filters.team_id)
    if filters.service_id:
        rows = rows.filter(service_id=filters.service_id)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    return rows


def _minutes(duration, count):
    if not count or duration is None:
        return None
    return round(duration.total_seconds() / count / 60, 1)


def by_caseworker(filters):
    """Per staff member who served: visits finished, of which walk-ins, and the average
    processing time (start of service → finish), as the summary counts them. One query."""
    rows = (
        _appointments(filters)
        .filter(d.has_processing(), served_by__isnull=False)
        .alias(processing=d.processing_duration())
        .values(
            user_id=F("served_by_id"),
            username=F("served_by__username"),
            first_name=F("served_by__first_name"),
            last_name=F("served_by__last_name"),
        )
        .annotate(
            served=Count("pk"),
            walk_ins=Count("pk", filter=Q(channel=Channel.WALK_IN)),
            processing=Sum("processing"),
        )
        .order_by()
    )
    result = []
    for row in rows:
        name = f"{row['first_name']} {row['last_name']}".strip() or row["username"]
        result.append(
            {
                "key": row["user_id"],
                "label": name,
                "served": row["served"],
                "walk_ins": row["walk_ins"],
                "processing_minutes": _minutes(row["processing"], row["served"]),
                "processing_seconds_sum": round(row["processing"].total_seconds()),
            }
        )
    return sorted(result, key=lambda row: (-row["served"], row["label"].casefold()))


def by_language(filters, *, now=None):
    """Per preferred language of the resident: booked, kept, no-shows, Termintreue (walk-ins
    apart, as everywhere), walk-ins and how many needed an interpreter. One query."""
    now = now or timezone.now()
    walk_in = Q(channel=Channel.WALK_IN)
    rows = (
        _appointments(filters)
        .values("language")
        .annotate(
            booked=Count("pk", filter=~walk_in),
            kept=Count("pk", filter=d.kept() & ~walk_in),
            no_show=Count("pk", filter=d.no_show(now=now) & ~walk_in),
            walk_ins=Count("pk", filter=d.kept() & walk_in),
            interpreter=Count("pk", filter=Q(interpreter_needed=True)),
        )
        .order_by()
    )
    result = [
        {
            "key": row["language"],
            **{k: row[k] for k in ("booked", "kept", "no_show", "walk_ins", "interpreter")},
            "termintreue": percent(row["kept"], row["kept"] + row["no_show"]),
        }
        for row in rows
    ]
    return sorted(result, key=lambda row: (-(row["booked"] + row["walk_ins"]), row["key"]))
