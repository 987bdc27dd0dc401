"""The appointment row: its fields for a person in a slot, a unique booking code, and writing
many rows at once (invitations) with their cases and events.

`create_appointment` writes one row with these fields (with its new case, in one statement on
PostgreSQL); `create_appointments` writes many in a few queries, for places the caller has just
taken with `places.take_places`.
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction

from .audit import log_event, log_events
from .codes import hash_token, new_code, new_token
from .errors import LimitReached
from .models import Appointment, Case, Status
from .names import email_key, surname_key
from .sql import InsertedPk, insert_all


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


def create_appointment(
    *,
    slot,
    service,
    person,
    channel,
    status,
    now,
    priority=0,
    case=None,
    actor=None,
    duplicate_error=None,
    party=None,
    token=None,
    code=None,
    pending=None,
):
    """Write the appointment row for a place the caller has just taken in `slot`, and its
    event; returns (appointment, token). The one place where single appointments are
    created: online and staff bookings, walk-ins and demo data (invitations write theirs in
    bulk with appointment_rows.create_appointments). The persons of a `party` share the
    booker's `token` (one manage link). With a `code`, the caller's transaction is the
    booking alone and a refused insert raises Refused for the caller to sort out after the
    rollback (see book()). With a list `pending`, the event is appended to it unsaved, for
    the caller to insert with its next row (audit.log_event)."""
    token = token or new_token()
    fields = appointment_fields(
        slot=slot,
        service=service,
        person=person,
        channel=channel,
        status=status,
        now=now,
        case=case,
        priority=priority,
        actor=actor,
        party=party,
        token=token,
        code=code or new_code(),
    )
    # A booking's own case is written with the appointment (one round trip on PostgreSQL).
    new_case = None if case is not None else {"service": service, "created_at": now}
    if code is not None:
        # The caller's transaction is this booking alone (book()): no savepoint around the
        # insert. A refusal breaks the transaction; the caller rolls it back whole and asks
        # about the code outside it (Refused).
        try:
            appointment = _insert_appointment(fields, new_case)
        except IntegrityError:
            raise Refused(code) from None
    else:
        appointment = _insert_in_savepoint(fields, new_case, duplicate_error)
    log_event(
        action=f"appointment.{status}",
        appointment=appointment,
        actor=actor,
        at=now,
        channel=channel,
        slot=slot.pk,
        pending=pending,
        **({"priority": priority} if priority else {}),
    )
    return appointment, token


def _insert_appointment(fields, new_case):
    """The appointment of `fields`, and first its case if `new_case` gives one's fields."""
    if new_case is None:
        return Appointment.objects.create(**fields)
    case = Case(**new_case)
    fields = {name: value for name, value in fields.items() if name != "case"}
    appointment = Appointment(**fields, case_id=InsertedPk(case))
    insert_all([case, appointment])
    appointment.case = case
    return appointment


def _insert_in_savepoint(fields, new_case, duplicate_error):
    while True:
        try:
            with transaction.atomic():
                return _insert_appointment(fields, new_case)
        except IntegrityError:
            # The code drawn is taken (one in 10^12 at 52,000 codes: asked only then, not
            # before every insert), or the partial unique index: this person already holds
            # an active appointment.
            if not code_taken(fields["code"]):
                raise (duplicate_error or LimitReached()) from None
            fields["code"] = new_code()


def code_taken(code):
    """Whether an appointment has the booking code `code` (asked only after the unique index
    refused an insert: was it the code, or the person's one active appointment?)."""
    return Appointment.objects.filter(code=code).exists()


class Refused(Exception):
    """The unique indexes refused the appointment drawn with `code`."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


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
