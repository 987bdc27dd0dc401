"""Free times from the cache: the public API's slot rows and the booking calendar's days and
times, keyed by service, team, range and the team's availability version.

The version (AvailabilityVersion) is bumped by triggers in the transaction of every write to
the team's slots, rules and closures, and it is read before the free times are: an answer is
never cached under a version that a committed booking, hold, cancellation, release or
capacity change has passed, so the next answer after a booking no longer shows its place.
What depends on the clock stays outside the cache or in the key: the release window's dates
(key), slots that have begun meanwhile (filtered on reading) and the days still withheld for
the waitlist (read each time; no query unless a service is in allocation mode). Booking never
reads this cache: it takes the place with the guarded UPDATE.
"""

import datetime as dt
import hashlib
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from . import metrics, outage
from .availability import bookable_dates, free_slots, withheld_days
from .closed_days import closed_days, next_open_release
from .models import AvailabilityVersion

# A safety net only (entries of old versions are never read again): how long one is kept.
TIMEOUT = 600
PREFIX = "avail:1"


def _read_versions(ids):
    """{team id: version} of the rows there are: one statement written here, as every answer
    asks it and building it through the ORM cost more than running it."""
    if not ids:
        return {}
    table = connection.ops.quote_name(AvailabilityVersion._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT team_id, version FROM {table} WHERE team_id IN ({marks})", ids)  # noqa: S608 (only placeholders)
        return dict(cursor.fetchall())


def versions(team_ids):
    """{team id: availability version}; the rows of teams never asked for are made here."""
    ids = sorted(set(team_ids))
    found = _read_versions(ids)
    missing = [pk for pk in ids if pk not in found]
    if missing:
        # From now on writes bump the row; before, no answer was cached under it.
        AvailabilityVersion.objects.bulk_create(
            [AvailabilityVersion(team_id=pk) for pk in missing], ignore_conflicts=True
        )
        found.update(_read_versions(missing))
    return found


def _key(kind, service, team_id, version, *parts):
    return ":".join(map(str, (PREFIX, kind, service.pk, team_id, version, *parts)))


def _clock_part(date_from, now):
    """Slots that begin today drop out as the day goes on: a range that includes today is
    cached per minute (rows are filtered on reading as well)."""
    return now.strftime("%H%M") if date_from <= timezone.localdate(now) else ""


def _lookup(keys):
    """The cached entries of `keys`; none while the cache is down (answered from the database,
    like the rate limits: outage.py)."""
    found = {}
    if not outage.CACHE.active():
        try:
            found = cache.get_many([key for key in keys if key])
        except outage.CACHE_ERRORS as error:
            outage.CACHE.start(error)
    for key in keys:
        if key:
            metrics.availability_cache(hit=key in found)
    return found


def _store(key, value):
    if not outage.CACHE.active():
        try:
            cache.set(key, value, TIMEOUT)
        except outage.CACHE_ERRORS as error:
            outage.CACHE.start(error)


# --- The public API ----------------------------------------------------------------------------


class SlotState(NamedTuple):
    """What slot_rows answers from right now; equal `key`s, equal rows (rendered answers
    are cached under it)."""

    date_from: dt.date
    date_to: dt.date
    teams: tuple
    versions: dict
    clock: str
    withheld: dict
    key: str


def slot_state(*, service, teams, date_from, date_to, now=None):
    """The state of the free slots of `service` at `teams` between two dates: the range cut to
    the release window, the teams' versions (one query), the minute where it matters and the
    days withheld for the waitlist; None when the range holds no bookable day."""
    now = now or timezone.now()
    first, last = bookable_dates(service, now=now)
    date_from, date_to = max(date_from, first), min(date_to, last)
    if date_from > date_to or not teams:
        return None
    current = versions(team.pk for team in teams)
    clock = _clock_part(date_from, now)
    withheld = {team.pk: withheld_days(service, team, now=now) for team in teams}
    # The team's name and place are in rendered answers too (an edit bumps no version).
    parts = [
        f"{team.pk}.{current[team.pk]}.{'.'.join(sorted(map(str, withheld[team.pk])))}"
        f".{hashlib.sha256(f'{team.name}|{team.location}'.encode()).hexdigest()[:12]}"
        for team in teams
    ]
    key = _key("state", service, "-".join(parts), service.slug, date_from, date_to, clock)
    return SlotState(date_from, date_to, tuple(teams), current, clock, withheld, key)


def slot_rows(*, service, teams, date_from, date_to, now=None, state=None):
    """The free, released online slots of `service` at `teams` between two dates, as plain
    rows (id, start, end, free_places, team) sorted by start, team and id; `state` is
    slot_state's for the same arguments when the caller has it."""
    now = now or timezone.now()
    if state is None:
        state = slot_state(
            service=service, teams=teams, date_from=date_from, date_to=date_to, now=now
        )
    if state is None:
        return []
    date_from, date_to, teams, clock = state.date_from, state.date_to, state.teams, state.clock
    keys = {
        team.pk: _key("rows", service, team.pk, state.versions[team.pk], date_from, date_to, clock)
        for team in teams
    }
    found = _lookup(list(keys.values()))
    rows = []
    for team in teams:
        cached = found.get(keys[team.pk])
        if cached is None:
            slots = free_slots(
                service=service, team=team, date_from=date_from, date_to=date_to, now=now
            )
            cached = list(slots.values_list("id", "start", "end", "free_places"))
            _store(keys[team.pk], cached)
        withheld = state.withheld[team.pk]
        rows.extend(
            {"id": pk, "start": start, "end": end, "free_places": free, "team": team}
            for pk, start, end, free in cached
            if start >= now and (not withheld or timezone.localdate(start) not in withheld)
        )
    return sorted(rows, key=lambda row: (row["start"], row["team"].pk, row["id"]))


def answer(key, build):
    """The bytes (or text) cached under `key`, else build()'s, kept for the next request with
    the same key: for answers rendered from a state whose key is part of `key`."""
    key = f"{PREFIX}:answer:{hashlib.sha256(key.encode()).hexdigest()}"
    found = _lookup([key]).get(key)
    if found is None:
        found = build()
        _store(key, found)
    return found


# --- The booking calendar ----------------------------------------------------------------------


def _window(service, team_id, first, last, now):
    """What the calendar shows of the whole release window (a few queries, cached)."""
    slots = free_slots(service=service, team=team_id, date_from=first, date_to=last, now=now)
    per_day = (
        slots.order_by()
        .annotate(day=TruncDate("start", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(count=Count("pk"))
        .order_by("day")
    )
    closed, all_closed = closed_days(service=service, team=team_id, date_from=first, date_to=last)
    return {
        "days": list(per_day),
        "closed_days": closed,
        "all_closed": all_closed,
        "next_release": next_open_release(service, team=team_id, now=now),
    }


def _day_rows(service, team_id, day, now):
    slots = free_slots(service=service, team=team_id, date_from=day, date_to=day, now=now)
    return [{"pk": pk, "start": start} for pk, start in slots.values_list("id", "start")]


def calendar(*, service, team_id, day=None, now=None, rendered_as=None):
    """The booking calendar of `service` at a team: the released days with free times (and
    how many), closed days, the next release, and the free times of `day` only if one is
    chosen, and the `state` they come from. A template counts a day's times with `|length`:
    each day comes with a range.

    `rendered_as` names a rendering of this calendar that a caller shares between visitors
    (its language and page): what `keep_rendered` kept of it for the same state comes back as
    `rendered` (else None), looked up in the same round trip as the free times."""
    now = now or timezone.now()
    first, last = bookable_dates(service, now=now)
    version = versions([team_id])[team_id]
    clock = _clock_part(first, now)
    window_key = _key("window", service, team_id, version, first, last, clock)
    day_key = None
    if day and first <= day <= last:
        day_key = _key("day", service, team_id, version, day, _clock_part(day, now))
    withheld = withheld_days(service, team_id, now=now)
    withheld_text = ".".join(sorted(map(str, withheld)))
    # What is shown follows from these (the chosen day's times from the day's entry): equal
    # parts, equal calendars.
    state = f"{window_key}:{day_key}:{service.slug}:{withheld_text}"
    rendered_key = None
    if rendered_as is not None:
        digest = hashlib.sha256(f"{state}:{rendered_as}".encode()).hexdigest()
        rendered_key = f"{PREFIX}:rendered:{digest}"
    found = _lookup([window_key, day_key, rendered_key])
    window = found.get(window_key)
    if window is None:
        window = _window(service, team_id, first, last, now)
        _store(window_key, window)
    days = [(d, range(count)) for d, count in window["days"] if d not in withheld and count]
    selected, selected_slots = None, []
    if day_key and any(d == day for d, _count in days):
        selected_slots = found.get(day_key)
        if selected_slots is None:
            selected_slots = _day_rows(service, team_id, day, now)
            _store(day_key, selected_slots)
        selected_slots = [row for row in selected_slots if row["start"] >= now]
        selected = day if selected_slots else None
    release_at, release_day = window["next_release"]
    return {
        "state": state,
        "rendered": found.get(rendered_key) if rendered_key else None,
        "rendered_key": rendered_key,
        "service": service,
        "days": days,
        "selected_day": selected,
        "selected_slots": selected_slots,
        "next_release_at": release_at,
        "next_release_day": release_day,
        "closed_days": window["closed_days"],
        "all_closed": window["all_closed"],
        "window_first": first,
        "window_last": last,
    }


def keep_rendered(calendar_context, rendered):
    """Keep a rendering of the calendar (any picklable value) for the next `calendar` call
    with the same state and `rendered_as`."""
    if calendar_context["rendered_key"]:
        _store(calendar_context["rendered_key"], rendered)
