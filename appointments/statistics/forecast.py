"""Expected visitors of the coming working days: booked appointments × the show-up rate
measured for their service, weekday and channel, beside the places offered. Three queries."""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractIsoWeekDay, TruncDate
from django.utils import timezone

from ..availability import office_closed
from ..models import Appointment, Channel, Contingent, DailyFigure, Slot, Status
from . import definitions as d
from .aggregation import day_start
from .reports import percent

FORECAST_DAYS = 10
# The show-up rates are measured over this many past days.
LOOKBACK_DAYS = 182
# A rate needs this many past appointments (kept + no-show); below it the next coarser rate
# is used: service × weekday × channel → service × channel → channel → all → the target.
MIN_SAMPLE = 20


def working_days(first, count):
    """The next `count` days from `first` on which the office opens (Mon–Fri, no holiday)."""
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5 and not office_closed(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _rates(*, today, team_id, service_id):
    """One query: kept and no-show per service, weekday and channel over the lookback."""
    rows = DailyFigure.objects.filter(
        date__gte=today - dt.timedelta(days=LOOKBACK_DAYS),
        date__lt=today,
        channel__in=d.APPOINTMENT_CHANNELS,
    )
    if team_id:
        rows = rows.filter(team_id=team_id)
    if service_id:
        rows = rows.filter(service_id=service_id)
    levels = defaultdict(lambda: [0, 0])
    for row in (
        rows.values("service_id", "channel", weekday=ExtractIsoWeekDay("date"))
        .annotate(kept_=Sum("kept"), no_show_=Sum("no_show"))
        .order_by()
    ):
        for key in (
            (row["service_id"], row["weekday"], row["channel"]),
            (row["service_id"], None, row["channel"]),
            (None, None, row["channel"]),
            (None, None, None),
        ):
            levels[key][0] += row["kept_"]
            levels[key][1] += row["no_show_"]

    def rate(service_id, weekday, channel):
        for key in (
            (service_id, weekday, channel),
            (service_id, None, channel),
            (None, None, channel),
            (None, None, None),
        ):
            kept, no_show = levels.get(key, (0, 0))
            if kept + no_show >= MIN_SAMPLE:
                return kept / (kept + no_show)
        return settings.STATISTICS_TARGET_PERCENT / 100

    return rate


def forecast(*, now=None, team=None, service=None, days=FORECAST_DAYS):
    """Per working day from today: booked, expected visitors and no-shows, places offered and
    taken, and the places expected to stay empty (open them to walk-ins)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    team_id, service_id = getattr(team, "pk", team), getattr(service, "pk", service)
    dates = working_days(today, days)
    start, end = day_start(dates[0]), day_start(dates[-1] + dt.timedelta(days=1))
    tz = d.office_tz()
    rate = _rates(today=today, team_id=team_id, service_id=service_id)

    appointments = Appointment.objects.filter(slot__start__gte=start, slot__start__lt=end)
    slots = Slot.objects.filter(start__gte=start, start__lt=end, closed=False)
    if team_id:
        appointments = appointments.filter(slot__team_id=team_id)
        slots = slots.filter(team_id=team_id)
    if service_id:
        appointments = appointments.filter(service_id=service_id)
    pending = Q(status=Status.BOOKED, slot__end__gt=now)
    booked = (
        appointments.filter(pending | Q(status__in=d.KEPT_STATUSES))
        .exclude(channel=Channel.WALK_IN)
        .values("service_id", "channel", date=TruncDate("slot__start", tzinfo=tz))
        .annotate(pending=Count("pk", filter=pending), arrived=Count("pk", filter=d.kept()))
        .order_by()
    )
    places = (
        slots.values(date=TruncDate("start", tzinfo=tz))
        .annotate(
            online=Sum("capacity", filter=Q(contingent=Contingent.ONLINE)),
            internal=Sum("capacity", filter=Q(contingent=Contingent.INTERNAL)),
            taken=Sum("booked"),
        )
        .order_by()
    )
    per_day = {day: defaultdict(float) for day in dates}
    for row in booked:
        if row["date"] not in per_day:
            continue
        figures = per_day[row["date"]]
        show_up = rate(row["service_id"], row["date"].isoweekday(), row["channel"])
        figures["booked"] += row["pending"] + row["arrived"]
        figures["arrived"] += row["arrived"]
        figures["expected"] += row["pending"] * show_up + row["arrived"]
    for row in places:
        if row["date"] in per_day:
            per_day[row["date"]]["online"] = row["online"] or 0
            per_day[row["date"]]["internal"] = row["internal"] or 0
            per_day[row["date"]]["taken"] = row["taken"] or 0
    result = []
    for day in dates:
        figures = per_day[day]
        offered = int(figures["online"] + figures["internal"])
        expected = round(figures["expected"])
        booked_count = int(figures["booked"])
        result.append(
            {
                "date": day,
                "booked": booked_count,
                "arrived": int(figures["arrived"]),
                "expected": expected,
                "expected_no_shows": max(booked_count - expected, 0),
                "show_up_rate": percent(figures["expected"], booked_count),
                "offered_online": int(figures["online"]),
                "offered_internal": int(figures["internal"]),
                "offered": offered,
                "taken": int(figures["taken"]),
                "free": max(offered - int(figures["taken"]), 0),
                "expected_empty": max(offered - expected, 0),
            }
        )
    return result
