"""Availability: the office calendar (holidays, local times), the release policy that opens
dates for residents, and the free slots shown to residents and staff."""

import datetime as dt
from functools import lru_cache
from itertools import groupby

import holidays
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .models import Contingent, DayRelease, ReleaseMode, Slot


@lru_cache(maxsize=16)
def _holidays(year, subdivision):
    return holidays.Germany(subdiv=subdivision, years=year)


def public_holiday(day):
    """The name of the public holiday on `day` (Hesse by default), or None."""
    return _holidays(day.year, settings.HOLIDAY_SUBDIVISION).get(day)


# The names of the usual extra closed days (OFFICE_EXTRA_CLOSED_DAYS); others are "office closed".
EXTRA_DAY_NAMES = {"12-24": "Heiligabend", "12-31": "Silvester"}


def _month_day(day):
    return day.strftime("%m-%d")


def office_closed(day):
    """Why the whole office is closed on `day`: the public holiday's name, or the name of an
    extra closed day of OFFICE_EXTRA_CLOSED_DAYS (Heiligabend, Silvester); None when open."""
    holiday = public_holiday(day)
    if holiday:
        return holiday
    key = _month_day(day)
    if key in settings.OFFICE_EXTRA_CLOSED_DAYS:
        return EXTRA_DAY_NAMES.get(key, "Geschlossen")
    return None


def closing_time(day):
    """The early closing time of a half day (OFFICE_HALF_DAYS), or None on a normal day."""
    value = settings.OFFICE_HALF_DAYS.get(_month_day(day))
    return dt.time.fromisoformat(value) if value else None


def local_datetime(day, time):
    """An aware datetime for a wall-clock time in the office's time zone (DST-safe)."""
    return timezone.make_aware(dt.datetime.combine(day, time))


def day_bounds(day):
    """The first instant of a local day and of the next one (23 or 25 hours on DST days)."""
    return local_datetime(day, dt.time.min), local_datetime(day + dt.timedelta(days=1), dt.time.min)


# --- Release policy ------------------------------------------------------------------------


def bookable_dates(service, *, now=None):
    """First and last date a resident may book `service` online right now."""
    local = timezone.localtime(now or timezone.now())
    first = local.date() + dt.timedelta(days=service.booking_window_min_days)
    last = local.date() + dt.timedelta(days=service.booking_window_max_days)
    if local.time() < service.release_time:
        last -= dt.timedelta(days=1)
    return first, last


def next_release(service, *, now=None):
    """When the next day becomes bookable, and which day that is."""
    local = timezone.localtime(now or timezone.now())
    release_day = (
        local.date()
        if local.time() < service.release_time
        else (local.date() + dt.timedelta(days=1))
    )
    moment = local_datetime(release_day, service.release_time)
    return moment, release_day + dt.timedelta(days=service.booking_window_max_days)


def release_moment(service, day):
    """When `day` becomes bookable under the daily release of `service`."""
    return local_datetime(
        day - dt.timedelta(days=service.booking_window_max_days), service.release_time
    )


def allocation_days(service, *, now):
    """The released days of `service` that are reserved for the waitlist first: in release
    mode allocation, those released since the mode was switched on (newest first)."""
    if service.release_mode != ReleaseMode.ALLOCATION or service.release_mode_changed_at is None:
        return []
    first, last = bookable_dates(service, now=now)
    days, day = [], last
    while day >= first and release_moment(service, day) >= service.release_mode_changed_at:
        days.append(day)
        day -= dt.timedelta(days=1)
    return days


def withheld_days(service, team, *, now=None):
    """Released days residents may not see or book yet: reserved for the waitlist until their
    DayRelease opens them to the public (a day not yet released to the waitlist counts too)."""
    now = now or timezone.now()
    days = allocation_days(service, now=now)
    if not days:
        return frozenset()
    public = DayRelease.objects.filter(
        service=service, team=team, day__in=days, public_at__lte=now
    ).values_list("day", flat=True)
    return frozenset(days) - set(public)


def publicly_bookable(service, team, day, *, now=None):
    """Whether residents may book `day` of `service` at `team` right now (release policy)."""
    now = now or timezone.now()
    first, last = bookable_dates(service, now=now)
    return first <= day <= last and day not in withheld_days(service, team, now=now)


# --- Availability --------------------------------------------------------------------------


def free_slots(*, service, team, date_from, date_to, contingents=(Contingent.ONLINE,), now=None):
    """Open slots with a free place for `service` at `team` between two dates (one query)."""
    now = now or timezone.now()
    start = max(now, local_datetime(date_from, dt.time.min))
    end = local_datetime(date_to + dt.timedelta(days=1), dt.time.min)
    return (
        Slot.objects.filter(
            team=team,
            rule__services=service,
            contingent__in=contingents,
            closed=False,
            booked__lt=F("capacity"),
            start__gte=start,
            start__lt=end,
        )
        .annotate(free_places=F("capacity") - F("booked"))
        .order_by("start", "contingent")
    )


def available_days(
    *,
    service,
    team,
    date_from,
    date_to,
    contingents=(Contingent.ONLINE,),
    now=None,
    respect_release=True,
):
    """Free slots grouped by local day: [(date, [slot, …]), …], in one query.

    With `respect_release` (residents), only the dates the release policy has opened count
    (without the days still reserved for the waitlist).
    """
    now = now or timezone.now()
    if respect_release:
        first, last = bookable_dates(service, now=now)
        date_from, date_to = max(date_from, first), min(date_to, last)
    if date_from > date_to:
        return []
    slots = free_slots(
        service=service,
        team=team,
        date_from=date_from,
        date_to=date_to,
        contingents=contingents,
        now=now,
    )
    withheld = withheld_days(service, team, now=now) if respect_release else frozenset()
    return [
        (day, list(day_slots))
        for day, day_slots in groupby(slots, key=lambda s: timezone.localdate(s.start))
        if day not in withheld
    ]
