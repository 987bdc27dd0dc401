"""Who comes first on the waitlist: urgency (a permit expiring soon, soonest first; then the
reason), then the day of registration, then the wish's lottery ticket — never click speed.

Registration counts by day (Berlin), so registering at 00:00:01 gains nothing over 23:59; the
ticket drawn at confirmation decides among equals and is logged, so every ranking can be
explained afterwards. Selectors for the backlog and a wish's position band live here too.
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db.models import Case, DateField, F, IntegerField, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import DayPart, UrgencyReason, Wish, WishState

# The order of the reasons (after the permit expiry): smaller ranks first.
REASON_RANK = {
    UrgencyReason.BENEFITS: 1,
    UrgencyReason.JOB_START: 2,
    UrgencyReason.TRAVEL: 3,
    UrgencyReason.NONE: 4,
}
# Mornings end at noon (local time).
NOON = dt.time(12, 0)


def ranked(queryset, *, today=None):
    """`queryset` of wishes annotated with their rank key and ordered best first."""
    today = today or timezone.localdate()
    urgent_until = today + dt.timedelta(days=settings.WAITLIST_URGENT_EXPIRY_DAYS)
    berlin = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return queryset.annotate(
        urgent_expiry=Case(
            When(permit_expires_on__lte=urgent_until, then=F("permit_expires_on")),
            default=Value(None),
            output_field=DateField(),
        ),
        reason_rank=Case(
            *(
                When(urgency_reason=reason, then=Value(rank))
                for reason, rank in REASON_RANK.items()
            ),
            default=Value(REASON_RANK[UrgencyReason.NONE]),
            output_field=IntegerField(),
        ),
        registered_on=TruncDate("registered_at", tzinfo=berlin),
    ).order_by(
        F("urgent_expiry").asc(nulls_last=True),
        "reason_rank",
        "registered_on",
        "lottery_ticket",
        "pk",
    )


def rank_key(wish):
    """The annotated rank of a wish from `ranked`, as logged with an offer."""
    return {
        "urgent_expiry": wish.urgent_expiry.isoformat() if wish.urgent_expiry else None,
        "reason_rank": wish.reason_rank,
        "registered_on": wish.registered_on.isoformat(),
        "lottery_ticket": wish.lottery_ticket,
    }


def waiting(*, service_ids, team_id):
    """The wishes that wait for a place (confirmed, not offered or paused), unranked."""
    return Wish.objects.filter(state=WishState.ACTIVE, service_id__in=service_ids, team_id=team_id)


def matches(wish, slot):
    """Whether `slot` fits the wish's preferences (weekday, time of day, date range)."""
    start = timezone.localtime(slot.start)
    day = start.date()
    if wish.weekdays and str(day.weekday()) not in wish.weekdays:
        return False
    if wish.day_part == DayPart.MORNING and start.time() >= NOON:
        return False
    if wish.day_part == DayPart.AFTERNOON and start.time() < NOON:
        return False
    if wish.earliest_date and day < wish.earliest_date:
        return False
    return not (wish.latest_date and day > wish.latest_date)


def backlog(*, service=None, team=None, today=None):
    """Ranked waiting wishes (optionally of one service and team), for screens and reports."""
    queryset = Wish.objects.filter(state=WishState.ACTIVE).select_related("service", "team")
    if service is not None:
        queryset = queryset.filter(service=service)
    if team is not None:
        queryset = queryset.filter(team=team)
    return ranked(queryset, today=today)


def position(wish, *, today=None):
    """1-based place of a waiting wish among its service and team's waiting wishes, or None."""
    if wish.state != WishState.ACTIVE:
        return None
    ids = list(
        backlog(service=wish.service, team=wish.team, today=today).values_list("pk", flat=True)
    )
    return ids.index(wish.pk) + 1 if wish.pk in ids else None


def position_band(wish, *, today=None):
    """The band shown to the resident ("among the next N"), or None beyond the last band or
    when the wish does not wait (confirming, offered, paused, ended)."""
    place = position(wish, today=today)
    if place is None:
        return None
    for band in settings.WAITLIST_POSITION_BANDS:
        if place <= band:
            return band
    return None
