"""Taking and giving back places: hold, verify, book for staff, cancel, reschedule, expire.

No overbooking by construction: a place is taken by one conditional UPDATE
(`booked < capacity`) in the transaction that creates the appointment, backed by the check
constraint on Slot; one active appointment per person and service is a partial unique index.
Invariant for every slot: booked == place-holding appointments + delayed releases.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import background, households, lifecycle, notifications
from .appointment_rows import Refused, code_taken, create_appointment
from .audit import log_event
from .availability import publicly_bookable
from .codes import is_valid_code, new_code, normalize_code, token_matches
from .errors import (
    HoldExpired,
    LimitReached,
    NotFound,
    ServiceNotBookable,
    SlotUnavailable,
    TransitionNotAllowed,
)
from .households import check_email_limits as _check_email_limits
from .models import (
    Appointment,
    CancellationReason,
    Channel,
    Contingent,
    DelayedRelease,
    Slot,
    Status,
)
from .names import email_key
from .people import Person
from .places import free_for_waitlist as _free_for_waitlist
from .places import free_place as _free_place
from .places import place_holders, refuse_if_taken
from .places import slot_for as _slot_for
from .places import take_bookable_place as _take_bookable_place
from .places import take_place as _take_place
from .rebooking_offers import OFFICE_REASONS, offer_rebooking
from .responsibility import responsible_team, team_for_person

__all__ = [
    "Person",
    "book",
    "cancel",
    "create_appointment",
    "place_holders",
    "refuse_if_taken",
    "reschedule",
    "verify",
]


def book(*, service, slot_id, person, channel, actor=None, case=None, now=None, priority=0):
    """Create an appointment in `slot_id` and take its place; returns (appointment, token).

    Online bookings are held until the e-mail is verified and may use only the online
    contingent and released dates; every other channel is booked at once and may use both.

    Called inside a caller's transaction, the appointment is inserted in a savepoint, as
    everywhere else. Called alone (every request that books), the booking is its own
    transaction and the insert goes without one (two round trips fewer while a rush holds the
    slot's row lock): if the unique indexes refuse it, the whole booking is rolled back, and
    then a taken code (one in 10^12) is drawn again and the booking repeated; otherwise the
    person already holds an active appointment for the service (LimitReached).
    """
    kwargs = {
        "service": service,
        "slot_id": slot_id,
        "person": person,
        "channel": channel,
        "actor": actor,
        "case": case,
        "now": now,
        "priority": priority,
    }
    if transaction.get_connection().in_atomic_block:
        return _book(**kwargs, code=None)
    while True:
        try:
            return _book(**kwargs, code=new_code())
        except Refused as refused:
            if not code_taken(refused.code):
                raise LimitReached() from None


@transaction.atomic
def _book(*, service, slot_id, person, channel, code, actor, case, now, priority):
    now = now or timezone.now()
    if not service.active or (channel == Channel.ONLINE and not service.bookable_online):
        raise ServiceNotBookable()
    team = team_for_person(service=service, person=person)
    online = channel == Channel.ONLINE
    # The place first (a refused booking ends here), then the mailbox's lock and limits:
    # every path takes slot rows before the mailbox lock, so none waits for the other.
    slot = _take_bookable_place(slot_id, service=service, team=team, online=online, now=now)
    _check_email_limits(email_key(person.email), service, person=person)
    pending = []

    appointment, token = create_appointment(
        slot=slot,
        service=service,
        person=person,
        channel=channel,
        status=Status.HELD if online else Status.BOOKED,
        priority=priority,
        case=case,
        actor=actor,
        now=now,
        code=code,
        pending=pending,
    )
    # The event goes in with the first message (one round trip on PostgreSQL).
    notifications.appointment_created(appointment, token=token, along=pending)
    return appointment, token


@transaction.atomic
def verify(*, code, token, now=None):
    """Confirm a held online booking from its e-mail link; it becomes booked."""
    now = now or timezone.now()
    appointment = find_by_code_and_token(code=code, token=token)
    if appointment.status == Status.BOOKED:
        return appointment  # the link was opened twice: nothing more to do
    if appointment.status != Status.HELD:
        raise HoldExpired() if appointment.status == Status.EXPIRED else TransitionNotAllowed()
    if appointment.hold_expires_at and appointment.hold_expires_at <= now:
        raise HoldExpired()  # the sweeper expires it and frees the place
    appointment = lifecycle.move(
        appointment_id=appointment.pk,
        to_status=Status.BOOKED,
        now=now,
        extra_fields={"hold_expires_at": None},
    )
    households.verify_members(appointment, now=now)  # one verification for a party
    notifications.appointment_booked(appointment, token=token)
    return appointment


def find_by_code_and_token(*, code, token):
    """The appointment for a code and its secret token; the same NotFound for either mismatch."""
    code = normalize_code(code)
    if not is_valid_code(code):
        raise NotFound()
    appointment = (
        Appointment.objects.select_related("slot", "service", "slot__team")
        .filter(code=code)
        .first()
    )
    if appointment is None or not token_matches(appointment, token):
        raise NotFound()
    return appointment


def _expire(appointment, *, now):
    appointment = lifecycle.move(appointment_id=appointment.pk, to_status=Status.EXPIRED, now=now)
    _free_place(appointment.slot_id, now=now)
    return appointment


@transaction.atomic
def cancel(*, appointment_id, reason, actor=None, now=None):
    """Cancel an appointment; a booked place is freed after the anti-trading delay."""
    now = now or timezone.now()
    appointment = Appointment.objects.get(pk=appointment_id)
    was = appointment.status
    appointment = lifecycle.move(
        appointment_id=appointment_id,
        to_status=Status.CANCELLED,
        actor=actor,
        now=now,
        extra_fields={"cancellation_reason": reason, "hold_expires_at": None},
        reason=reason,
    )
    if reason in OFFICE_REASONS:
        _free_place(appointment.slot_id, now=now)
    elif was == Status.HELD:
        _free_for_waitlist(appointment.slot_id, appointment.service, now=now)
    else:
        delay = settings.CANCELLATION_RELEASE_DELAY_MINUTES
        _free_place(appointment.slot_id, delay_minutes=delay, now=now)
    rebook = offer_rebooking(appointment=appointment, now=now) if reason in OFFICE_REASONS else None
    notifications.appointment_cancelled(appointment, rebook_token=rebook)
    return appointment


def cancel_for_closure(*, slot_ids, now=None):
    """Cancel the active appointments in closed slots (reason: office closed); returns their ids."""
    cancelled = []
    for appointment_id in Appointment.objects.filter(
        slot_id__in=slot_ids, status__in=(Status.HELD, Status.BOOKED)
    ).values_list("pk", flat=True):
        cancel(appointment_id=appointment_id, reason=CancellationReason.CLOSURE, now=now)
        cancelled.append(appointment_id)
    return cancelled


@transaction.atomic
def reschedule(*, appointment_id, slot_id, actor=None, internal=False, now=None, token=None):
    """Move an appointment to another free slot of its service: take the new place and give
    the old one back (after the anti-trading delay) in one transaction.

    Residents (`internal` False) move only within released online places; staff may use the
    internal contingent too.
    """
    now = now or timezone.now()
    appointment = (
        Appointment.objects.select_for_update().select_related("service").get(pk=appointment_id)
    )
    if appointment.status not in (Status.HELD, Status.BOOKED):
        raise TransitionNotAllowed(_("Only appointments that are not yet due can be moved."))
    if appointment.status == Status.HELD and appointment.hold_expires_at <= now:
        raise HoldExpired()
    if slot_id == appointment.slot_id:
        return appointment
    team = responsible_team(
        service=appointment.service,
        surname=appointment.routing_surname,
        nationality=str(appointment.nationality),
    )
    slot = _slot_for(slot_id, appointment.service, team, now)
    online = not internal
    day = timezone.localdate(slot.start)
    if online and not publicly_bookable(appointment.service, team, day, now=now):
        raise SlotUnavailable()
    contingents = [Contingent.ONLINE] if online else [Contingent.ONLINE, Contingent.INTERNAL]
    _take_place(slot.pk, contingents)
    old_slot_id = appointment.slot_id
    moved = Appointment.objects.filter(pk=appointment.pk, status=appointment.status).update(
        slot_id=slot.pk
    )
    if not moved:
        raise TransitionNotAllowed(_("Someone else has just changed this appointment."))
    if appointment.status == Status.HELD:
        _free_for_waitlist(old_slot_id, appointment.service, now=now)
    else:
        delay = settings.CANCELLATION_RELEASE_DELAY_MINUTES
        _free_place(old_slot_id, delay_minutes=delay, now=now)
    appointment.refresh_from_db()
    event = log_event(
        action="appointment.rescheduled",
        appointment=appointment,
        actor=actor,
        at=now,
        from_slot=old_slot_id,
        to_slot=slot.pk,
    )
    notifications.appointment_rescheduled(appointment, token=token, occasion=str(event.pk))
    return appointment


def expire_holds(*, now=None, hand_on=None):
    """Expire held bookings whose verification did not come in time; returns how many.

    `hand_on(slot_id, now=…)` (the waitlist's allocator) is called in the same transaction as
    each freed place, so a place goes to a waiting wish before anybody can see it free."""
    now = now or timezone.now()
    expired = 0
    due = Appointment.objects.filter(status=Status.HELD, hold_expires_at__lte=now)
    for appointment in due.only("pk", "slot_id", "status").iterator():
        try:
            with transaction.atomic():
                _expire(appointment, now=now)
                if hand_on is not None:
                    hand_on(appointment.slot_id, now=now)
            expired += 1
        except TransitionNotAllowed:
            continue  # verified or cancelled meanwhile
    return expired


def release_delayed_places(*, now=None, hand_on=None):
    """Free the places whose anti-trading delay has passed; returns how many.

    With `hand_on(slot_id, now=…)` (the waitlist's allocator) each freed place is offered in
    the same transaction, so it is never public before the best-ranked wish had it; without,
    the allocator is only asked after the commit (and a fast poller may take it first)."""
    now = now or timezone.now()
    released = 0
    while True:
        with transaction.atomic():
            batch = list(
                DelayedRelease.objects.select_for_update(skip_locked=True)
                .filter(release_at__lte=now)
                .order_by("release_at")[:500]
            )
            if not batch:
                return released
            for release in batch:
                Slot.objects.filter(pk=release.slot_id, booked__gt=0).update(booked=F("booked") - 1)
            DelayedRelease.objects.filter(pk__in=[r.pk for r in batch]).delete()
            freed = sorted({r.slot_id for r in batch})  # to the waitlist first, if one fits
            if hand_on is None:
                background.enqueue_after_commit("appointments.tasks.offer_freed_places", freed)
            else:
                for slot_id in freed:
                    hand_on(slot_id, now=now)
            released += len(batch)


def mark_no_shows(*, now=None):
    """Booked appointments whose slot ended more than the grace period ago without a check-in
    become no-shows, and the residents are told how to book again; returns how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.NO_SHOW_GRACE_MINUTES)
    marked = 0
    overdue = Appointment.objects.filter(status=Status.BOOKED, slot__end__lte=cutoff)
    for appointment_id in overdue.values_list("pk", flat=True).iterator():
        try:
            with transaction.atomic():
                appointment = lifecycle.move(
                    appointment_id=appointment_id,
                    to_status=Status.NO_SHOW,
                    now=now,
                    reason="not checked in",
                )
                notifications.appointment_no_show(appointment)
            marked += 1
        except TransitionNotAllowed:
            continue  # checked in meanwhile
    return marked


@transaction.atomic
def confirm_attendance(*, appointment_id, now=None):
    """The resident answered a reminder with "I will come"."""
    now = now or timezone.now()
    updated = Appointment.objects.filter(
        pk=appointment_id, status=Status.BOOKED, attendance_confirmed_at__isnull=True
    ).update(attendance_confirmed_at=now)
    if updated:
        log_event(
            action="appointment.attendance_confirmed",
            appointment=Appointment.objects.get(pk=appointment_id),
            at=now,
        )
    return bool(updated)
