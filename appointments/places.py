"""The places of slots: the guarded UPDATE that takes one, and giving places back.

No overbooking by construction: a place is taken by one conditional UPDATE
(`booked < capacity`) in the transaction that creates the appointment, backed by the check
constraint on Slot. Invariant for every slot: booked == place-holding appointments + delayed
releases (`place_holders`). `booking` builds holds, bookings, cancellations and moves on these.
"""

import datetime as dt

from django.db import connection
from django.db.models import F, IntegerField, Q, Value
from django.utils import timezone

from . import background
from .availability import bookable_dates, day_bounds, publicly_bookable, withheld_days
from .errors import SlotFull, SlotUnavailable
from .models import (
    PLACE_HOLDING_STATUSES,
    Contingent,
    DelayedRelease,
    OpeningRule,
    Slot,
    Wish,
    WishState,
)
from .sql import ByPk, returning, update_returning


def take_place(slot_id, contingents, conditions=None):
    """The guarded conditional UPDATE: one place, only while one is free (and the slot meets
    `conditions`, which must name the slot's own columns: a join would move the guard into a
    subquery that PostgreSQL does not re-check against a concurrent update). Returns the slot
    as the UPDATE left it (its RETURNING: no second read)."""
    taken = update_returning(
        Slot.objects.filter(
            conditions or Q(),
            pk=slot_id,
            contingent__in=contingents,
            closed=False,
            booked__lt=F("capacity"),
        ),
        booked=F("booked") + 1,
    )
    if not taken:
        raise SlotFull()
    return taken[0]


def take_places(wanted, contingents, conditions):
    """The guarded UPDATE in bulk: up to `wanted[slot_id]` places of each slot, as many as are
    free; returns {slot_id: places taken}. The slots meeting `conditions` (own columns only,
    as for take_place) are locked in id order and read first, then one UPDATE takes the places,
    still guarded by `booked + k <= capacity`: two queries however many slots."""
    if not wanted:
        return {}
    locked = (
        Slot.objects.select_for_update()
        .filter(
            conditions,
            pk__in=wanted,
            contingent__in=contingents,
            closed=False,
            booked__lt=F("capacity"),
        )
        .order_by("pk")
        .values_list("pk", "capacity", "booked")
    )
    got = {pk: min(wanted[pk], capacity - booked) for pk, capacity, booked in locked}
    got = {pk: count for pk, count in got.items() if count > 0}
    if got:
        adding = ByPk(got, Value(0), IntegerField())
        updated = (
            Slot.objects.filter(conditions, pk__in=got, contingent__in=contingents, closed=False)
            .filter(booked__lte=F("capacity") - adding)
            .update(booked=F("booked") + adding)
        )
        if updated != len(got):  # the rows are locked: only a broken lock gets here
            raise SlotFull()
    return got


def free_places(counts):
    """Give back at once the places of {slot_id: count} taken in this transaction."""
    counts = {pk: k for pk, k in counts.items() if k > 0}
    if counts:
        giving = ByPk(counts, Value(0), IntegerField())
        Slot.objects.filter(pk__in=counts, booked__gte=giving).update(booked=F("booked") - giving)


def bookable_conditions(service, team, online, now):
    """What a slot must meet for `service` at `team` now, as conditions on its own columns:
    the team's, started not yet, of a rule offering the service; online on a released and not
    withheld day too. The same as slot_for and publicly_bookable, checked by the UPDATE."""
    rules = OpeningRule.services.through.objects.filter(service_id=service.pk)
    conditions = Q(team_id=team.pk, start__gt=now, rule_id__in=rules.values("openingrule_id"))
    if online:
        first, last = bookable_dates(service, now=now)
        conditions &= Q(start__gte=day_bounds(first)[0], start__lt=day_bounds(last)[1])
        for day in withheld_days(service, team, now=now):
            start, end = day_bounds(day)
            conditions &= ~Q(start__gte=start, start__lt=end)
    return conditions


def take_bookable_place(slot_id, *, service, team, online, now):
    """Take a place of `slot_id` first: one guarded UPDATE that also checks the slot may be
    booked (a refusal costs one more query, to say why); returns the slot with its team (the
    `team` in hand: the UPDATE checked the slot is that team's)."""
    contingents = [Contingent.ONLINE] if online else [Contingent.ONLINE, Contingent.INTERNAL]
    taken = returning(Slot, *_bookable_update(slot_id, contingents, service, team, online, now))
    if not taken:
        slot = slot_for(slot_id, service, team, now)  # SlotUnavailable when not bookable
        day = timezone.localdate(slot.start)
        if online and not publicly_bookable(service, team, day, now=now):
            raise SlotUnavailable()
        raise SlotFull()
    slot = taken[0]
    slot.team = team
    return slot


def _bookable_update(slot_id, contingents, service, team, online, now):
    """take_place(slot_id, contingents, bookable_conditions(…)) written out as SQL: the same
    guard and the same conditions on the slot's own columns (tests hold the two alike). Every
    booking runs it, and the ORM took several times as long to build it as the database to
    run it. Only quoted names and placeholders are formatted in; every value is a parameter."""
    ops, quote = connection.ops, connection.ops.quote_name
    column = {field.name: quote(field.column) for field in Slot._meta.concrete_fields}
    start, at = column["start"], ops.adapt_datetimefield_value
    offered = OpeningRule.services.through._meta  # (rule, service) pairs
    rule_of, service_of = (
        quote(offered.get_field(name).column) for name in ("openingrule", "service")
    )
    where = [
        f"{column['id']} = %s",
        f"{column['contingent']} IN ({', '.join(['%s'] * len(contingents))})",
        f"{column['closed']} = %s",
        f"{column['booked']} < {column['capacity']}",
        f"{column['team']} = %s",
        f"{start} > %s",
        f"{column['rule']} IN (SELECT {rule_of} FROM {quote(offered.db_table)} "  # noqa: S608
        f"WHERE {service_of} = %s)",
    ]
    params = [slot_id, *contingents, False, team.pk, at(now), service.pk]
    if online:
        first, last = bookable_dates(service, now=now)
        where.append(f"{start} >= %s AND {start} < %s")
        params += [at(day_bounds(first)[0]), at(day_bounds(last)[1])]
        for day in sorted(withheld_days(service, team, now=now)):
            where.append(f"NOT ({start} >= %s AND {start} < %s)")
            params += [at(bound) for bound in day_bounds(day)]
    booked = column["booked"]
    sql = (
        f"UPDATE {quote(Slot._meta.db_table)} SET {booked} = {booked} + 1 "  # noqa: S608
        f"WHERE {' AND '.join(where)}"
    )
    return sql, params


def free_place(slot_id, *, delay_minutes=0, now):
    """Give a place back now, or after an anti-trading delay."""
    if delay_minutes > 0:
        DelayedRelease.objects.create(
            slot_id=slot_id, release_at=now + dt.timedelta(minutes=delay_minutes)
        )
    else:
        Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def free_for_waitlist(slot_id, service, *, now):
    """Give back a place freed at once (a hold cancelled or moved). While wishes wait for its
    service and team it goes through the delayed-release sweeper, which offers it to them in
    the transaction that frees it; freed here and offered by a later task, a fast poller would
    see it free in between."""
    team_id = Slot.objects.values_list("team_id", flat=True).get(pk=slot_id)
    if Wish.objects.filter(service=service, team_id=team_id, state=WishState.ACTIVE).exists():
        DelayedRelease.objects.create(slot_id=slot_id, release_at=now)
        background.enqueue_after_commit("appointments.tasks.release_delayed_places")
    else:
        free_place(slot_id, now=now)


def slot_for(slot_id, service, team, now):
    try:
        slot = Slot.objects.select_related("rule").get(pk=slot_id)
    except Slot.DoesNotExist:
        raise SlotUnavailable() from None
    if slot.start <= now or slot.closed or slot.team_id != team.pk:
        raise SlotUnavailable()
    if slot.rule_id is None or not slot.rule.services.filter(pk=service.pk).exists():
        raise SlotUnavailable()
    return slot


def refuse_if_taken(slot_id):
    """SlotFull when the slot `slot_id` has no free place now: one indexed read, so a request
    for a time that is gone is refused before any other work. Only a shortcut: the booking
    itself takes its place with the guarded UPDATE whatever this read saw."""
    with connection.cursor() as cursor:
        # Written out: in a rush of refusals the ORM spent half as long again building this
        # query as the database answering it.
        cursor.execute(FULL_SLOT, [slot_id])
        if cursor.fetchone() is not None:
            raise SlotFull()


FULL_SLOT = f"SELECT 1 FROM {Slot._meta.db_table} WHERE id = %s AND booked >= capacity"  # noqa: S608


def place_holders(slot):
    """How many places of `slot` are taken by appointments and pending releases (for checks)."""
    return (
        slot.appointments.filter(status__in=PLACE_HOLDING_STATUSES).count()
        + slot.delayed_releases.count()
    )
