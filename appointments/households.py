"""The persons of one household: who counts as one person, the limits per mailbox, and the
steps a group booking (Party) takes together (verification).

A person is the normalised surname, given names and birth date. A family shares one mailbox:
a child booked from the parent's address is another person, not a second appointment of the
parent; one active appointment per person and service stays, and a mailbox may hold at most
MAX_ACTIVE_APPOINTMENTS_PER_EMAIL_AND_SERVICE / MAX_ACTIVE_APPOINTMENTS_PER_EMAIL active
appointments so that it cannot hoard places.
"""

import unicodedata

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from . import lifecycle
from .errors import LimitReached
from .models import ACTIVE_STATUSES, Appointment, EmailLock, Status
from .names import email_key, surname_key


def _person(person):
    return Q(
        surname_key=surname_key(person.surname),
        given_names_key=surname_key(person.given_names),
        date_of_birth=person.date_of_birth,
    )


def same_person(appointments, person):
    """The appointments among `appointments` that belong to `person`."""
    return appointments.filter(_person(person))


def check_email_limits(key, service, exclude_pk=None, person=None, adding=1):
    """Raise LimitReached unless `adding` more active appointments fit the mailbox `key`
    (locked for the rest of the transaction) and `person` has none yet for `service`."""
    if not key:
        return
    total, same_service, same_person = _mailbox_figures(key, service, exclude_pk, person)
    if same_person:
        raise LimitReached()
    if same_service + adding > settings.MAX_ACTIVE_APPOINTMENTS_PER_EMAIL_AND_SERVICE:
        raise LimitReached(
            _(
                "This e-mail address already has the maximum number of appointments for "
                "this concern."
            )
        )
    if total + adding > settings.MAX_ACTIVE_APPOINTMENTS_PER_EMAIL:
        raise LimitReached(
            _("This e-mail address already has the maximum number of open appointments.")
        )


# Written out (every online booking runs both): building the aggregate with its filtered counts
# took the ORM several times as long as the database's answer. Only table and column names
# are formatted in; every value is a parameter.
_APPOINTMENTS = Appointment._meta.db_table
_ACTIVE = [status.value for status in ACTIVE_STATUSES]
LOCK_MAILBOX = (
    f"INSERT INTO {EmailLock._meta.db_table} (email_key) VALUES (%s) "  # noqa: S608
    "ON CONFLICT (email_key) DO UPDATE SET email_key = EXCLUDED.email_key"
)
MAILBOX_FIGURES = (
    "SELECT COUNT(*), "  # noqa: S608
    "COALESCE(SUM(CASE WHEN service_id = %s THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN service_id = %s AND surname_key = %s AND given_names_key = %s "
    "AND date_of_birth = %s THEN 1 ELSE 0 END), 0) "
    f"FROM {_APPOINTMENTS} WHERE email_key = %s "
    f"AND status IN ({', '.join(['%s'] * len(ACTIVE_STATUSES))}) AND id <> %s"
)


def _mailbox_figures(key, service, exclude_pk, person):
    """Lock the mailbox `key` (one upsert inserts its lock row or locks the existing one: ON
    CONFLICT DO UPDATE takes the row lock, also when apply_retention has just deleted it),
    then count its active appointments: (all, for `service`, of `person` for `service`)."""
    if person is not None:
        who = [surname_key(person.surname), surname_key(person.given_names)]
        born = connection.ops.adapt_datefield_value(person.date_of_birth)
    else:
        who, born = ["", ""], None  # no row has an empty key and a null birth date matches none
    figures = [service.pk, service.pk, *who, born, key, *_ACTIVE, exclude_pk or 0]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Both statements in one round trip (the lock is held until the commit, so the
            # shorter the transaction the shorter others wait for it). Each statement of a
            # query string takes its own snapshot under READ COMMITTED: the count, begun
            # once the lock is ours, sees what its previous holder committed (tested).
            cursor.execute(f"{LOCK_MAILBOX}; {MAILBOX_FIGURES}", [key, *figures])
        else:
            cursor.execute(LOCK_MAILBOX, [key])
            cursor.execute(MAILBOX_FIGURES, figures)
        return cursor.fetchone()


def refused_by_limits(people):
    """check_email_limits for many bookings at once, `people` a list of (person, service) in
    the order they are booked: the mailboxes are locked (in key order), then two reads count
    what they and the persons hold. Returns the indexes of those refused (LimitReached)."""
    keys = sorted({email_key(person.email) for person, _service in people} - {""})
    EmailLock.objects.bulk_create(
        [EmailLock(email_key=key) for key in keys],
        update_conflicts=True,
        unique_fields=["email_key"],
        update_fields=["email_key"],
    )
    active = Appointment.objects.filter(status__in=ACTIVE_STATUSES)
    held = {}  # (mailbox, service id) -> active appointments
    for key, service_id, count in (
        active.filter(email_key__in=keys)
        .order_by()
        .values("email_key", "service_id")
        .annotate(n=Count("pk"))
        .values_list("email_key", "service_id", "n")
    ):
        held[key, service_id] = count
    totals = {}
    for (key, _service_id), count in held.items():
        totals[key] = totals.get(key, 0) + count

    def identity(person, service_id):
        keys = (surname_key(person.surname), surname_key(person.given_names))
        return (*keys, person.date_of_birth, email_key(person.email), service_id)

    wanted = [identity(person, service.pk) for person, service in people]
    # The persons (with or without a mailbox) who already hold one: the partial unique index.
    booked = set(
        active.filter(
            surname_key__in={w[0] for w in wanted},
            date_of_birth__in={w[2] for w in wanted},
            service_id__in={w[4] for w in wanted},
        ).values_list("surname_key", "given_names_key", "date_of_birth", "email_key", "service_id")
    )
    refused = set()
    for index, who in enumerate(wanted):
        key, service_id = who[3], who[4]
        if who in booked or (
            key
            and (
                held.get((key, service_id), 0) + 1
                > settings.MAX_ACTIVE_APPOINTMENTS_PER_EMAIL_AND_SERVICE
                or totals.get(key, 0) + 1 > settings.MAX_ACTIVE_APPOINTMENTS_PER_EMAIL
            )
        ):
            refused.add(index)
            continue
        booked.add(who)
        if key:
            held[key, service_id] = held.get((key, service_id), 0) + 1
            totals[key] = totals.get(key, 0) + 1
    return refused


def verify_members(appointment, *, now):
    """The booker verified a group booking: every held person of the party is booked too."""
    if not appointment.party_id:
        return
    held = Appointment.objects.filter(party_id=appointment.party_id, status=Status.HELD)
    for member_id in held.exclude(pk=appointment.pk).values_list("pk", flat=True):
        lifecycle.move(
            appointment_id=member_id,
            to_status=Status.BOOKED,
            now=now,
            extra_fields={"hold_expires_at": None},
        )


# Characters a free-text note may not contain: markup, bidi controls (they reverse text on
# staff screens), other control and invisible format characters.
_MARKUP = set("<>")


def needs_note_problem(text):
    """A translated message when `text` is not an acceptable note on needs, else None."""
    if len(text) > settings.NEEDS_NOTE_MAX_LENGTH:
        return _("Please keep the note to %(count)d characters.") % {
            "count": settings.NEEDS_NOTE_MAX_LENGTH
        }
    for char in text:
        if char in _MARKUP or (
            unicodedata.category(char) in ("Cc", "Cf") and char not in "\n\t\u200c\u200d"
        ):
            return _(
                "Please write the note as plain text (no < > or invisible control characters)."
            )
    return None
