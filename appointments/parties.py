"""Group bookings (Party): up to PARTY_MAX_PERSONS persons of one household in one booking.

Each person gets an Appointment (and case) of their own; the party shares the booker's code
and manage link (one token), one verification, one check-in and one waiting number. The
places are taken through the guarded primitive of `booking` in ONE transaction, all or
nothing: per service either one place per person in the chosen slot (PartyMode.PLACES) or
one place in each of as many consecutive slots as there are persons (PartyMode.CONSECUTIVE,
the visit is longer; person i is in the i-th slot).
"""

import dataclasses

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import booking, lifecycle, notifications
from .audit import log_event
from .availability import publicly_bookable
from .booking import _free_place, _slot_for, _take_place, create_appointment
from .errors import (
    HoldExpired,
    PartyNotPossible,
    ServiceNotBookable,
    SlotFull,
    SlotUnavailable,
    TransitionNotAllowed,
)
from .households import check_email_limits
from .models import Appointment, Channel, Contingent, Party, PartyMode, Slot, Status
from .names import email_key, surname_key
from .queue import arrival
from .responsibility import responsible_team

# What the booker states for the whole party (copied to every person's appointment).
SHARED_FIELDS = (
    "email",
    "phone",
    "language",
    "interpreter_needed",
    "interpreter_language",
    "needs_wheelchair",
    "needs_sign_language",
    "needs_companion",
    "needs_note",
)


def members(appointment):
    """The appointments of `appointment`'s party (the booker first), or just itself."""
    if not appointment.party_id:
        return [appointment]
    return list(
        Appointment.objects.select_related("slot", "service")
        .filter(party_id=appointment.party_id)
        .order_by("slot__start", "pk")
    )


def _household(persons):
    """The persons as booked: the others take the booker's contact data and needs."""
    booker = persons[0]
    shared = {name: getattr(booker, name) for name in SHARED_FIELDS}
    household = [booker]
    for other in persons[1:]:
        nationality = other.nationality or booker.nationality
        household.append(dataclasses.replace(other, nationality=nationality, **shared))
    keys = {(surname_key(p.surname), surname_key(p.given_names), p.date_of_birth) for p in persons}
    if len(keys) != len(persons):
        raise PartyNotPossible(_("The same person is listed twice."))
    return household


def _slots(service, first_slot, size, team, now):
    """The slots the party's persons go into: the chosen one n times, or n consecutive ones."""
    if service.party_mode != PartyMode.CONSECUTIVE or size == 1:
        return [first_slot] * size
    following = list(
        Slot.objects.filter(
            team_id=first_slot.team_id,
            rule_id=first_slot.rule_id,
            start__gte=first_slot.end,
            start__date=timezone.localdate(first_slot.start),
        ).order_by("start")[: size - 1]
    )
    chain = [first_slot]
    for slot in following:
        if slot.start != chain[-1].end:
            break
        chain.append(_slot_for(slot.pk, service, team, now))
    if len(chain) < size:
        raise SlotUnavailable(
            _("There are not enough consecutive free times for all persons from this time.")
        )
    return chain


def _enough_room(slots):
    """A clear message when the chosen time has fewer free places than persons (the guarded
    updates still decide under concurrency)."""
    needed = {}
    for slot in slots:
        needed[slot.pk] = needed.get(slot.pk, 0) + 1
    for slot in {slot.pk: slot for slot in slots}.values():
        if slot.capacity - slot.booked < needed[slot.pk]:
            raise SlotFull(
                _("This time has fewer free places than persons. Please choose another time.")
            )


def _check_party(service, persons, channel):
    if not service.active or (channel == Channel.ONLINE and not service.bookable_online):
        raise ServiceNotBookable()
    if not 1 <= len(persons) <= settings.PARTY_MAX_PERSONS:
        raise PartyNotPossible(
            _("A group booking is for at most %(count)d persons.")
            % {"count": settings.PARTY_MAX_PERSONS}
        )
    if len(persons) > 1 and service.party_mode == PartyMode.NONE:
        raise PartyNotPossible(_("This concern can only be booked for one person at a time."))


def _window(service, slot, online, now):
    if online and not publicly_bookable(
        service, slot.team_id, timezone.localdate(slot.start), now=now
    ):
        raise SlotUnavailable()
    return [Contingent.ONLINE] if online else [Contingent.ONLINE, Contingent.INTERNAL]


def book_party(*, service, slot_id, persons, channel, actor=None, now=None):
    """Book `persons` (the booker first) together; returns (booker's appointment, token).

    All places are taken in one transaction through the guarded primitive: if one is
    missing, nothing is booked (SlotFull). One person alone is an ordinary booking.
    """
    _check_party(service, persons, channel)
    if len(persons) == 1:
        one = persons[0]
        return booking.book(
            service=service, slot_id=slot_id, person=one, channel=channel, actor=actor, now=now
        )
    return _book_household(
        service=service, slot_id=slot_id, persons=persons, channel=channel, actor=actor, now=now
    )


@transaction.atomic
def _book_household(*, service, slot_id, persons, channel, actor, now):
    now = now or timezone.now()
    household = _household(persons)
    booker = household[0]
    team = responsible_team(service=service, surname=booker.surname, nationality=booker.nationality)
    online = channel == Channel.ONLINE
    first_slot = _slot_for(slot_id, service, team, now)
    contingents = _window(service, first_slot, online, now)
    slots = _slots(service, first_slot, len(household), team, now)
    _enough_room(slots)
    for slot in slots:
        _take_place(slot.pk, contingents)
    # After the places, as in booking.book: slot rows before the mailbox lock on every path.
    for person in household:
        check_email_limits(email_key(booker.email), service, person=person, adding=len(household))
    party = Party.objects.create(size=len(household), created_at=now)
    token = None
    for person, slot in zip(household, slots, strict=True):
        appointment, token = create_appointment(
            slot=slot,
            service=service,
            person=person,
            channel=channel,
            status=Status.HELD if online else Status.BOOKED,
            actor=actor,
            now=now,
            party=party,
            token=token,
        )
        if party.lead_id is None:
            party.lead = lead = appointment
            party.save(update_fields=["lead"])
    log_event(action="party.booked", appointment=lead, actor=actor, at=now, persons=party.size)
    notifications.appointment_created(lead, token=token)
    return lead, token


def _active(appointment):
    return [m for m in members(appointment) if m.status in (Status.HELD, Status.BOOKED)]


@transaction.atomic
def cancel_party(*, appointment_id, reason, actor=None, now=None):
    """Cancel every person of the party still to come (the booker last: their mail lists all)."""
    now = now or timezone.now()
    appointment = Appointment.objects.get(pk=appointment_id)
    if not appointment.party_id:
        return booking.cancel(appointment_id=appointment_id, reason=reason, actor=actor, now=now)
    active = _active(appointment)
    if not active:
        raise TransitionNotAllowed(_("Only appointments that are not yet due can be cancelled."))
    lead_id = appointment.party.lead_id
    active.sort(key=lambda m: m.pk == lead_id)
    for member in active:
        cancelled = booking.cancel(appointment_id=member.pk, reason=reason, actor=actor, now=now)
    return cancelled


@transaction.atomic
def move_party(*, appointment_id, slot_id, actor=None, internal=False, now=None, token=None):
    """Move the whole party to `slot_id`: places for all persons or nothing moves."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_related("service", "party").get(pk=appointment_id)
    if not appointment.party_id:
        return booking.reschedule(
            appointment_id=appointment_id, slot_id=slot_id, actor=actor, internal=internal,
            now=now, token=token,
        )  # fmt: skip
    group = _active(appointment)
    lead = next((m for m in group if m.pk == appointment.party.lead_id), None)
    if lead is None:
        raise TransitionNotAllowed(_("Only appointments that are not yet due can be moved."))
    if lead.status == Status.HELD and lead.hold_expires_at <= now:
        raise HoldExpired()
    service = lead.service
    team = lead.slot.team
    first_slot = _slot_for(slot_id, service, team, now)
    contingents = _window(service, first_slot, not internal, now)
    group.sort(key=lambda m: (m.pk != lead.pk, m.slot.start, m.pk))
    slots = _slots(service, first_slot, len(group), team, now)
    if [m.slot_id for m in group] == [s.pk for s in slots]:
        return lead
    for member, slot in zip(group, slots, strict=True):
        _take_place(slot.pk, contingents)
        moved = Appointment.objects.filter(pk=member.pk, status=member.status).update(
            slot_id=slot.pk
        )
        if not moved:
            raise TransitionNotAllowed(_("Someone else has just changed this appointment."))
        delay = 0 if member.status == Status.HELD else settings.CANCELLATION_RELEASE_DELAY_MINUTES
        _free_place(member.slot_id, delay_minutes=delay, now=now)
        log_event(
            action="appointment.rescheduled",
            appointment=member,
            actor=actor,
            at=now,
            from_slot=member.slot_id,
            to_slot=slot.pk,
        )
    lead.refresh_from_db()
    notifications.appointment_rescheduled(lead, token=token, occasion=f"party-{now.isoformat()}")
    return lead


@transaction.atomic
def check_in_party(*, appointment_id, actor=None, accept_late=False, readmit=False, now=None):
    """Reception checks the whole party in at once: one waiting number covers the group."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_related("party__lead").get(pk=appointment_id)
    lead = appointment.party.lead if appointment.party_id else None
    # The booker's row gives the number; if staff cancelled the booker alone, this person's.
    arriving = lead if lead and lead.status in (Status.BOOKED, Status.NO_SHOW) else appointment
    first = arrival.check_in(
        appointment_id=arriving.pk,
        actor=actor,
        accept_late=accept_late,
        readmit=readmit,
        now=now,
    )
    if not appointment.party_id:
        return first
    for member in members(appointment):
        if member.pk == first.pk or member.status != Status.BOOKED:
            continue
        lifecycle.move(
            appointment_id=member.pk,
            to_status=Status.CHECKED_IN,
            actor=actor,
            now=now,
            extra_fields={
                "queue_team": first.queue_team,
                "waiting_number": first.waiting_number,
                "arrived_late": first.arrived_late,
            },
            party=appointment.party_id,
        )
    return first
