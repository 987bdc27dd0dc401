"""Opening rules → slots for a rolling horizon; closures and holidays close what they cover."""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .availability import closing_time, local_datetime, office_closed
from .booking import cancel_for_closure
from .models import Appointment, Closure, Contingent, OpeningRule, Slot

# --- Slot generation -----------------------------------------------------------------------


@dataclass
class GenerationResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    closed: int = 0
    cancelled_appointments: list = field(default_factory=list)


def slot_windows(rule, day):
    """The slot windows of `rule` on `day`; on a half day (OFFICE_HALF_DAYS) they end by the
    early closing time."""
    start = local_datetime(day, rule.start_time)
    close = local_datetime(day, rule.end_time)
    early = closing_time(day)
    if early is not None:
        close = min(close, local_datetime(day, early))
    step = dt.timedelta(minutes=rule.slot_minutes)
    while start + step <= close:
        yield start, start + step
        start += step


def _closed(closures, team_id, start, end):
    return any(
        (c.team_id is None or c.team_id == team_id) and c.start < end and c.end > start
        for c in closures
    )


def wanted_slots(rules, closures, first_day, last_day):
    wanted = {}
    day = first_day
    while day <= last_day:
        if not office_closed(day):
            for rule in rules:
                if rule.weekday != day.weekday() or rule.valid_from > day:
                    continue
                if rule.valid_until and rule.valid_until < day:
                    continue
                for start, end in slot_windows(rule, day):
                    if _closed(closures, rule.team_id, start, end):
                        continue
                    places = (
                        (Contingent.ONLINE, rule.online_capacity),
                        (Contingent.INTERNAL, rule.capacity - rule.online_capacity),
                    )
                    for contingent, capacity in places:
                        if capacity > 0:
                            wanted[(rule.pk, start, contingent)] = (rule.team_id, end, capacity)
        day += dt.timedelta(days=1)
    return wanted


@transaction.atomic
def generate_slots(*, days=None, now=None):
    """Materialise slots from the opening rules for the coming `days` (idempotent).

    Future slots that no rule wants any more are deleted when nobody ever booked them;
    booked ones are closed to new bookings and, when a closure covers them, their
    appointments are cancelled with reason "office closed". Past slots are never touched.
    """
    now = now or timezone.now()
    days = settings.SLOT_HORIZON_DAYS if days is None else days
    first_day = timezone.localdate(now)
    last_day = first_day + dt.timedelta(days=days)
    horizon_end = local_datetime(last_day + dt.timedelta(days=1), dt.time.min)

    rules = list(
        OpeningRule.objects.filter(team__active=True, valid_from__lte=last_day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=first_day)
        )
    )
    closures = list(Closure.objects.filter(end__gt=now, start__lt=horizon_end))
    wanted = wanted_slots(rules, closures, first_day, last_day)

    existing = list(
        Slot.objects.select_for_update()
        .filter(start__gte=now, start__lt=horizon_end)
        .annotate(referenced=Exists(Appointment.objects.filter(slot=OuterRef("pk"))))
    )
    result = GenerationResult()
    seen = set()
    to_update, to_delete, to_close, to_cancel = [], [], [], []
    for slot in existing:
        key = (slot.rule_id, slot.start, slot.contingent)
        if key in wanted:
            seen.add(key)
            capacity = wanted[key][2]
            changed = False
            if slot.capacity != capacity and slot.booked <= capacity:
                slot.capacity, changed = capacity, True
            if slot.closed:
                slot.closed, changed = False, True
            if changed:
                to_update.append(slot)
        elif not slot.referenced and slot.booked == 0:
            to_delete.append(slot.pk)
        elif not slot.closed:
            to_close.append(slot)
        elif slot.booked and _closed(closures, slot.team_id, slot.start, slot.end):
            to_cancel.append(slot.pk)  # closed earlier (rule change), now under a closure

    if to_update:
        Slot.objects.bulk_update(to_update, ["capacity", "closed"])
        result.updated = len(to_update)
    if to_delete:
        result.removed, _ = Slot.objects.filter(pk__in=to_delete, booked=0).delete()
    if to_close:
        Slot.objects.filter(pk__in=[s.pk for s in to_close]).update(closed=True)
        result.closed = len(to_close)
        to_cancel += [s.pk for s in to_close if _closed(closures, s.team_id, s.start, s.end)]
    if to_cancel:
        result.cancelled_appointments = cancel_for_closure(slot_ids=to_cancel, now=now)

    new = [
        Slot(
            rule_id=rule_id,
            team_id=team_id,
            start=start,
            end=end,
            contingent=contingent,
            capacity=capacity,
        )
        for (rule_id, start, contingent), (team_id, end, capacity) in wanted.items()
        if (rule_id, start, contingent) not in seen and start >= now
    ]
    Slot.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    result.created = len(new)
    return result
