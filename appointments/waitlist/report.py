"""The supervisors' waitlist figures per service and team, read in a fixed number of queries:
backlog, offers of a period and their answers, days from wish to appointment, unmet demand.

"Unmet demand" counts waiting wishes whose current permit expires before any free online place
of their service and team (no such place starts on or before the expiry day).
"""

import datetime as dt
import statistics as stats
import zoneinfo
from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from ..models import Contingent, Offer, OfferState, Slot, Wish, WishState

FIGURES = ("backlog", "unmet", "offered", "accepted", "declined", "expired", "open")


def _free_place_before_expiry(now):
    """Whether a free online place of the wish's service and team starts by its permit expiry."""
    return Exists(
        Slot.objects.filter(
            team_id=OuterRef("team_id"),
            rule__services=OuterRef("service_id"),
            start__gt=now,
            start__date__lte=OuterRef("permit_expires_on"),
            closed=False,
            contingent=Contingent.ONLINE,
            booked__lt=F("capacity"),
        )
    )


def _scoped(queryset, prefix, *, service, team):
    if service is not None:
        queryset = queryset.filter(**{f"{prefix}service": service})
    if team is not None:
        queryset = queryset.filter(**{f"{prefix}team": team})
    return queryset


def _period(date_from, date_to):
    berlin = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=berlin)
    return start, dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=berlin)


def waitlist_figures(*, date_from, date_to, service=None, team=None, now=None):
    """Rows per (service id, team id), ordered by ids, each with FIGURES and `median_days`
    (from registration to the appointment, over offers accepted in the period), and the total
    row over all of them. Three queries."""
    now = now or timezone.now()
    start, end = _period(date_from, date_to)
    rows = defaultdict(lambda: dict.fromkeys(FIGURES, 0) | {"days": []})

    waiting = _scoped(
        Wish.objects.filter(state=WishState.ACTIVE), "", service=service, team=team
    ).annotate(has_place=_free_place_before_expiry(now))
    for row in waiting.values("service_id", "team_id").annotate(
        backlog=Count("pk"),
        unmet=Count("pk", filter=Q(permit_expires_on__isnull=False, has_place=False)),
    ):
        rows[row["service_id"], row["team_id"]].update(backlog=row["backlog"], unmet=row["unmet"])

    offers = _scoped(
        Offer.objects.filter(offered_at__gte=start, offered_at__lt=end),
        "wish__",
        service=service,
        team=team,
    )
    by_state = {f"n_{state}": Count("pk", filter=Q(state=state)) for state in OfferState.values}
    for row in offers.values("wish__service_id", "wish__team_id").annotate(
        total=Count("pk"), **by_state
    ):
        rows[row["wish__service_id"], row["wish__team_id"]].update(
            offered=row["total"],
            accepted=row["n_accepted"],
            declined=row["n_declined"],
            expired=row["n_expired"],
            open=row["n_open"],
        )

    accepted = _scoped(
        Offer.objects.filter(
            state=OfferState.ACCEPTED, answered_at__gte=start, answered_at__lt=end
        ),
        "wish__",
        service=service,
        team=team,
    ).values_list("wish__service_id", "wish__team_id", "wish__registered_at", "slot__start")
    for service_id, team_id, registered_at, slot_start in accepted:
        rows[service_id, team_id]["days"].append((slot_start - registered_at) / dt.timedelta(1))

    result = []
    total = dict.fromkeys(FIGURES, 0) | {"days": []}
    for (service_id, team_id), row in sorted(rows.items()):
        for name in FIGURES:
            total[name] += row[name]
        total["days"] += row["days"]
        result.append(_finished(row, service_id=service_id, team_id=team_id))
    return {"rows": result, "total": _finished(total, service_id=None, team_id=None)}


def _finished(row, *, service_id, team_id):
    days = row.pop("days")
    answered = row["accepted"] + row["declined"] + row["expired"]
    return row | {
        "service_id": service_id,
        "team_id": team_id,
        "median_days": round(stats.median(days), 1) if days else None,
        "accepted_share": round(100 * row["accepted"] / answered, 1) if answered else None,
    }
