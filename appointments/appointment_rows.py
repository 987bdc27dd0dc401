"""The appointment row: its fields for a person in a slot, a unique booking code, and writing
many rows at once (invitations) with their cases and events.

`booking.create_appointment` writes one row with these fields; `create_appointments` writes
many in a few queries, for places the caller has just taken with `places.take_places`.
"""

import datetime as dt

from django.conf import settings

from .audit import log_events
from .codes import hash_token, new_code, new_token
from .models import Appointment, Case, Status
from .names import email_key, surname_key


def unique_codes(count):
    """`count` distinct booking codes no appointment has: one query per round of drawing."""
    codes = set()
    while len(codes) < count:
        drawn = {new_code() for _ in range(count - len(codes))} - codes
        taken = set(Appointment.objects.filter(code__in=drawn).values_list("code", flat=True))
        codes |= drawn - taken
    return list(codes)


def appointment_fields(
    *, slot, service, person, channel, status, now, case, priority, actor, party, token, code
):
    """The columns of a new appointment of `person` in `slot`."""
    fields = {
        "slot": slot,
        "service": service,
        "case": case,
        "channel": channel,
        "status": status,
        "priority": priority,
        "surname": person.surname.strip(),
        "surname_latin": person.surname_latin.strip(),
        "given_names": person.given_names.strip(),
        "date_of_birth": person.date_of_birth,
        "email": person.email.strip(),
        "phone": person.phone.strip(),
        "nationality": person.nationality,
        "language": person.language,
        "interpreter_needed": person.interpreter_needed,
        "interpreter_language": person.interpreter_language if person.interpreter_needed else "",
        "needs_wheelchair": person.needs_wheelchair,
        "needs_sign_language": person.needs_sign_language,
        "needs_companion": person.needs_companion,
        "needs_note": person.needs_note.strip(),
        "party": party,
        "surname_key": surname_key(person.surname),
        "given_names_key": surname_key(person.given_names),
        "email_key": email_key(person.email),
        "code": code,
        "token_hash": hash_token(token),
        "created_at": now,
        "created_by": actor if actor is not None and actor.is_authenticated else None,
        "held_at": now,
    }
    if status == Status.HELD:
        fields["hold_expires_at"] = now + dt.timedelta(minutes=settings.APPOINTMENT_HOLD_MINUTES)
    else:
        fields["booked_at"] = now
    return fields


def create_appointments(*, places, channel, now, actor=None, batch_size=500):
    """Write booked appointments for `places`, a list of (slot, service, person) whose places
    the caller has taken in this transaction: their cases, rows and `appointment.booked`
    events in a few bulk inserts. Returns the appointments in the order of `places`.

    The caller has made sure (under the mailbox locks) that nobody of them already has an
    active appointment for the service: a violated unique index fails the whole insert."""
    if not places:
        return []
    cases = Case.objects.bulk_create(
        [Case(service=service, created_at=now) for _slot, service, _person in places],
        batch_size=batch_size,
    )
    codes = unique_codes(len(places))
    appointments = Appointment.objects.bulk_create(
        [
            Appointment(
                **appointment_fields(
                    slot=slot,
                    service=service,
                    person=person,
                    channel=channel,
                    status=Status.BOOKED,
                    now=now,
                    case=case,
                    priority=0,
                    actor=actor,
                    party=None,
                    token=new_token(),
                    code=code,
                )
            )
            for (slot, service, person), case, code in zip(places, cases, codes, strict=True)
        ],
        batch_size=batch_size,
    )
    log_events(
        [
            {
                "action": f"appointment.{Status.BOOKED}",
                "appointment": appointment,
                "actor": actor,
                "at": now,
                "channel": channel,
                "slot": appointment.slot_id,
            }
            for appointment in appointments
        ],
        batch_size=batch_size,
    )
    return appointments
