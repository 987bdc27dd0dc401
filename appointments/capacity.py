"""Capacity: opening rules, closures and counters, and the previews shown before a change.

Each change is logged and followed by generate_slots() in the same transaction, so it takes
effect at once: new slots appear, unwanted ones close, closed-over appointments are cancelled.
"""

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import ngettext

from .audit import log_event
from .availability import local_datetime, office_closed
from .background import enqueue_after_commit
from .booking import cancel, cancel_for_closure
from .errors import CounterExists
from .models import (
    Appointment,
    CancellationReason,
    Closure,
    Contingent,
    Counter,
    OpeningRule,
    Slot,
    Status,
)
from .scheduling import generate_slots, slot_windows, wanted_slots

PREVIEW_DAYS = 14
# The fields of an opening rule that staff edit (capacity screen and Django admin alike).
RULE_FIELDS = [
    "weekday",
    "start_time",
    "end_time",
    "slot_minutes",
    "capacity",
    "online_capacity",
    "services",
    "valid_from",
    "valid_until",
]
# The appointments a closure cancels (cancel_for_closure takes these and no others).
CANCELLABLE = (Status.HELD, Status.BOOKED)


# --- Selectors -----------------------------------------------------------------------------


# --- Opening rules -------------------------------------------------------------------------


@dataclass
class PreviewSlot:
    start: dt.datetime
    end: dt.datetime
    online: int = 0
    internal: int = 0


@dataclass
class PreviewDay:
    day: dt.date
    slots: list = field(default_factory=list)
    holiday: str = ""
    closed_windows: int = 0
    closure_reasons: list = field(default_factory=list)


def _applies(rule, day):
    return (
        rule.weekday == day.weekday()
        and rule.valid_from <= day
        and (rule.valid_until is None or rule.valid_until >= day)
    )


def _closure_reasons(closures, team_id, start, end):
    return [
        c.reason
        for c in closures
        if c.team_id in (None, team_id) and c.start < end and c.end > start
    ]


def preview_rule(*, rule, days=PREVIEW_DAYS, now=None):
    """What `rule` (saved or not) produces over the next `days` days, computed as
    generate_slots() does: the slots of each day it applies to, and the days or windows a
    public holiday or a closure takes away, with the reason."""
    now = now or timezone.now()
    first = timezone.localdate(now)
    last = first + dt.timedelta(days=days - 1)
    closures = list(
        Closure.objects.filter(
            Q(team__isnull=True) | Q(team_id=rule.team_id),
            end__gt=now,
            start__lt=local_datetime(last + dt.timedelta(days=1), dt.time.min),
        )
    )
    places = defaultdict(dict)
    for (_rule, start, contingent), (_team, _end, capacity) in wanted_slots(
        [rule], closures, first, last
    ).items():
        places[start][contingent] = capacity

    preview = []
    day = first
    while day <= last:
        if _applies(rule, day):
            entry = PreviewDay(day=day, holiday=office_closed(day) or "")
            if not entry.holiday:
                for start, end in slot_windows(rule, day):
                    if start < now:
                        continue  # generate_slots never creates slots in the past
                    if start in places:
                        entry.slots.append(
                            PreviewSlot(
                                start,
                                end,
                                online=places[start].get(Contingent.ONLINE, 0),
                                internal=places[start].get(Contingent.INTERNAL, 0),
                            )
                        )
                    else:
                        entry.closed_windows += 1
                        for reason in _closure_reasons(closures, rule.team_id, start, end):
                            if reason not in entry.closure_reasons:
                                entry.closure_reasons.append(reason)
            preview.append(entry)
        day += dt.timedelta(days=1)
    return preview


def preview_totals(preview):
    """Slots and places over a whole preview: {"slots", "online", "internal"}."""
    slots = [slot for entry in preview for slot in entry.slots]
    return {
        "slots": len(slots),
        "online": sum(slot.online for slot in slots),
        "internal": sum(slot.internal for slot in slots),
    }


def stranded_appointments(*, rule_id, edited=None, now=None):
    """Held and booked appointments in future slots of the saved rule `rule_id` that the rule
    as `edited` (None: deleted) no longer offers: slots that disappear, and in slots that
    shrink below their bookings the latest bookings beyond the new capacity. Saving the rule
    cancels them (cancel_stranded) with a personal rebooking link."""
    now = now or timezone.now()
    slots = list(
        Slot.objects.filter(rule_id=rule_id, start__gte=now, appointments__status__in=CANCELLABLE)
        .values_list("pk", "start", "contingent", "booked")
        .distinct()
    )
    wanted = {}
    if edited is not None and slots:
        last = max(timezone.localdate(start) for _pk, start, _contingent, _booked in slots)
        closures = list(Closure.objects.filter(end__gt=now))
        wanted = {
            (start, contingent): capacity
            for (_rule, start, contingent), (_team, _end, capacity) in wanted_slots(
                [edited], closures, timezone.localdate(now), last
            ).items()
        }
    gone, shrunk = [], {}
    for pk, start, contingent, booked in slots:
        capacity = wanted.get((start, contingent))
        if capacity is None:
            gone.append(pk)
        elif booked > capacity:
            shrunk[pk] = capacity
    stranded = Q(slot_id__in=gone)
    for pk, capacity in shrunk.items():
        # The earliest bookings keep their place.
        kept = Appointment.objects.filter(slot_id=pk, status__in=CANCELLABLE).order_by("pk")[
            :capacity
        ]
        stranded |= Q(slot_id=pk) & ~Q(pk__in=list(kept.values_list("pk", flat=True)))
    return (
        Appointment.objects.filter(stranded, status__in=CANCELLABLE)
        .select_related("slot", "slot__team", "service")
        .order_by("slot__start", "code")
    )


def cancel_stranded(*, rule_id, edited=None, now=None):
    """Cancel what stranded_appointments() lists (reason "opening hours changed"): each
    resident gets the cancellation mail with a personal rebooking link. Returns their ids."""
    ids = list(
        stranded_appointments(rule_id=rule_id, edited=edited, now=now).values_list("pk", flat=True)
    )
    for appointment_id in ids:
        cancel(appointment_id=appointment_id, reason=CancellationReason.HOURS, now=now)
    return ids


def _rule_data(rule):
    return {
        "rule": rule.pk,
        "team": rule.team_id,
        "weekday": rule.weekday,
        "start": rule.start_time.strftime("%H:%M"),
        "end": rule.end_time.strftime("%H:%M"),
        "slot_minutes": rule.slot_minutes,
        "capacity": rule.capacity,
        "online_capacity": rule.online_capacity,
        "valid_from": rule.valid_from.isoformat(),
        "valid_until": rule.valid_until.isoformat() if rule.valid_until else None,
    }


@transaction.atomic
def rule_saved(*, rule, created, actor, now=None):
    """Log a created or changed opening rule, cancel the appointments it no longer offers a
    place for (stranded_appointments) and regenerate the slots; returns the result, with the
    cancelled appointment ids."""
    cancelled = [] if created else cancel_stranded(rule_id=rule.pk, edited=rule, now=now)
    log_event(
        action="opening_rule.created" if created else "opening_rule.changed",
        actor=actor,
        cancelled=len(cancelled),
        **_rule_data(rule),
    )
    result = generate_slots(now=now)
    result.cancelled_appointments = sorted({*result.cancelled_appointments, *cancelled})
    # Places added: offered to the team's waitlist first (appointments.waitlist.allocation).
    enqueue_after_commit("appointments.tasks.offer_free_places", rule.team_id)
    return result


@transaction.atomic
def delete_rule(*, rule_id, actor, now=None):
    """Delete an opening rule and regenerate: its future appointments are cancelled with a
    rebooking link, its unbooked future slots go, booked ones close."""
    rule = OpeningRule.objects.select_for_update().get(pk=rule_id)
    data = _rule_data(rule)
    cancelled = cancel_stranded(rule_id=rule_id, now=now)
    rule.delete()
    log_event(action="opening_rule.deleted", actor=actor, cancelled=len(cancelled), **data)
    result = generate_slots(now=now)
    result.cancelled_appointments = sorted({*result.cancelled_appointments, *cancelled})
    return result


# --- Closures ------------------------------------------------------------------------------


def affected_by_closure(*, team, start, end, now=None):
    """The held and booked appointments a closure of `team` (None: whole office) from `start`
    to `end` would cancel: those in future slots overlapping the span."""
    now = now or timezone.now()
    appointments = Appointment.objects.filter(
        status__in=CANCELLABLE, slot__start__gte=now, slot__start__lt=end, slot__end__gt=start
    )
    if team is not None:
        appointments = appointments.filter(slot__team=team)
    return appointments.select_related("slot", "slot__team", "service").order_by(
        "slot__start", "code"
    )


def fingerprint(appointments):
    """A short digest of who is affected, so a confirmation applies to the list that was shown."""
    ids = ",".join(str(pk) for pk in sorted(a.pk for a in appointments))
    return hashlib.sha256(ids.encode()).hexdigest()[:16]


@transaction.atomic
def create_closure(*, team, start, end, reason, actor, now=None):
    """Save a closure, regenerate the slots and cancel the appointments it covers (reason
    "office closed", with the cancellation mail). Returns (closure, cancelled appointment ids)."""
    now = now or timezone.now()
    closure = Closure(team=team, start=start, end=end, reason=reason)
    closure.full_clean()
    closure.save()
    log_event(
        action="closure.created",
        actor=actor,
        closure=closure.pk,
        team=closure.team_id,
        start=start.isoformat(),
        end=end.isoformat(),
        reason=reason,
    )
    result = generate_slots(now=now)
    # generate_slots cancels within its horizon and only in slots it closes now; slots further
    # ahead or closed earlier (by a rule change) are closed and emptied here.
    covered = Slot.objects.filter(start__gte=now, start__lt=end, end__gt=start)
    if team is not None:
        covered = covered.filter(team=team)
    covered.filter(closed=False).update(closed=True)
    cancelled = cancel_for_closure(slot_ids=list(covered.values_list("pk", flat=True)), now=now)
    return closure, sorted({*result.cancelled_appointments, *cancelled})


@transaction.atomic
def delete_closure(*, closure_id, actor, now=None):
    """Remove a closure that has not ended and reopen its slots (cancellations stay)."""
    now = now or timezone.now()
    closure = Closure.objects.select_for_update().get(pk=closure_id, end__gt=now)
    data = {
        "closure": closure.pk,
        "team": closure.team_id,
        "start": closure.start.isoformat(),
        "end": closure.end.isoformat(),
        "reason": closure.reason,
    }
    closure.delete()
    log_event(action="closure.deleted", actor=actor, **data)
    # The reopened places: offered to the waitlist first (appointments.waitlist.allocation).
    enqueue_after_commit("appointments.tasks.offer_free_places", closure.team_id)
    return generate_slots(now=now)


@transaction.atomic
def change_closure(*, closure_id, team, start, end, reason, actor, now=None):
    """Replace a closure that has not ended by one with the given span, in one transaction (as
    deleting and creating it, so nobody books in between): the old span reopens, the new one
    cancels what it covers; earlier cancellations stay. Returns what create_closure returns."""
    delete_closure(closure_id=closure_id, actor=actor, now=now)
    return create_closure(team=team, start=start, end=end, reason=reason, actor=actor, now=now)


# --- Counters ------------------------------------------------------------------------------


@transaction.atomic
def save_counter(*, team, number, active=True, counter_id=None, actor):
    """Add a counter to `team`, or rename and (de)activate one; returns the counter."""
    try:
        with transaction.atomic():
            if counter_id is None:
                counter = Counter.objects.create(team=team, number=number, active=active)
                action = "counter.created"
            else:
                counter = Counter.objects.select_for_update().get(pk=counter_id, team=team)
                counter.number, counter.active = number, active
                counter.save(update_fields=["number", "active"])
                action = "counter.changed"
    except IntegrityError:
        raise CounterExists() from None
    log_event(
        action=action, actor=actor, counter=counter.pk, team=team.pk, number=number, active=active
    )
    return counter


def closure_saved_message(cancelled):
    """What staff are told after a closure was saved (capacity screen and Django admin)."""
    return ngettext(
        "The closure is saved. %(count)d appointment was cancelled; the "
        "resident is told by e-mail.",
        "The closure is saved. %(count)d appointments were cancelled; the "
        "residents are told by e-mail.",
        len(cancelled),
    ) % {"count": len(cancelled)}


def rule_cancelled_message(result):
    """What staff are told when a rule change or deletion cancelled appointments."""
    count = len(result.cancelled_appointments)
    return ngettext(
        "%(count)d appointment was cancelled; the resident gets an e-mail with a personal "
        "link to rebook with priority.",
        "%(count)d appointments were cancelled; the residents get an e-mail with a personal "
        "link to rebook with priority.",
        count,
    ) % {"count": count}
