"""What pseudonymising an appointment or an invitation row leaves behind, and doing it.

A pseudonymised appointment keeps its booking code, service, team, slot, channel, status and
status timestamps, language, interpreter need, queue data and outcome: everything the
statistics count (and the needs ticked). Name, birth date, nationality, e-mail, phone, note
texts (internal, needs), the normalised keys
and the token hash are replaced by fixed placeholders (the columns are NOT NULL).
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..audit import log_event
from ..errors import StillActive
from ..models import (
    ACTIVE_STATUSES,
    Appointment,
    Event,
    Invitation,
    InvitationState,
    OutboxMessage,
    OutboxStatus,
)

# Birth dates are NOT NULL: a fixed date stands for "no longer stored".
NO_BIRTH_DATE = dt.date(1900, 1, 1)

APPOINTMENT_PLACEHOLDERS = {
    "surname": "",
    "given_names": "",
    "date_of_birth": NO_BIRTH_DATE,
    "email": "",
    "phone": "",
    "nationality": "",
    "surname_key": "",
    "given_names_key": "",
    "email_key": "",
    "token_hash": "",
    "internal_note": "",
    "needs_note": "",
}
INVITATION_PLACEHOLDERS = {
    "surname": "",
    "salutation": "",
    "given_names": "",
    "date_of_birth": NO_BIRTH_DATE,
    "nationality": "",
    "email": "",
    "postal_address": "",
    "decline_note": "",
    "problem": "",
}
# What a sent (or finally failed) message keeps: kind, subject (booking code only), language,
# status and times. Its body may hold the manage link; the error may quote the address.
MESSAGE_PLACEHOLDERS = {
    "recipient": "",
    "text_body": "",
    "html_body": "",
    "attachments": [],
    "render_context": None,
    "last_error": "",
}
# Event payload keys that would hold personal data (none written today; a guard for new ones).
PERSONAL_EVENT_KEYS = frozenset(
    {
        "surname",
        "given_names",
        "name",
        "date_of_birth",
        "email",
        "recipient",
        "phone",
        "note",
        "file_number",
        "postal_address",
        "address",
    }
)
# Invitation states after which nothing more happens to the row (the campaign is over for it).
FINAL_INVITATION_STATES = (
    InvitationState.KEPT,
    InvitationState.NO_SHOW,
    InvitationState.DECLINED,
    InvitationState.RELEASED,
)
DONE_MESSAGES = (OutboxStatus.SENT, OutboxStatus.FAILED)
PSEUDONYMISED_ACTION = "appointment.pseudonymised"
ERASED_ACTION = "appointment.personal_data_erased"


def pseudonymise_appointments(ids, *, now, on_request=False):
    """Pseudonymise the appointments `ids` that are not yet (caller's transaction), with their
    finished messages, their events' personal payload and their finished invitation rows (on a
    resident's request: their invitation rows in any state, as the campaign ends for them);
    returns how many appointments changed. Messages still to be sent keep their address."""
    ids = list(
        Appointment.objects.filter(pk__in=ids, pseudonymised_at__isnull=True)
        .exclude(status__in=ACTIVE_STATUSES)
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    changed = Appointment.objects.filter(pk__in=ids, pseudonymised_at__isnull=True).update(
        pseudonymised_at=now, **APPOINTMENT_PLACEHOLDERS
    )
    clear_messages(OutboxMessage.objects.filter(appointment_id__in=ids, status__in=DONE_MESSAGES))
    scrub_events(Event.objects.filter(appointment_id__in=ids))
    invitations = Invitation.objects.filter(appointment_id__in=ids)
    if not on_request:
        invitations = invitations.filter(state__in=FINAL_INVITATION_STATES)
    pseudonymise_invitations(invitations, now=now)
    return changed


def clear_messages(queryset):
    """Empty recipient, bodies, attachments and error of these messages; returns how many."""
    return queryset.exclude(recipient="").update(**MESSAGE_PLACEHOLDERS)


def scrub_events(queryset):
    """Drop personal keys from these events' payloads (a no-op for the events written today)."""
    changed = 0
    for pk, data in queryset.exclude(data={}).values_list("pk", "data"):
        if isinstance(data, dict) and PERSONAL_EVENT_KEYS & data.keys():
            kept = {k: v for k, v in data.items() if k not in PERSONAL_EVENT_KEYS}
            changed += Event.objects.filter(pk=pk).update(data=kept)
    return changed


def pseudonymise_invitations(queryset, *, now):
    """Pseudonymise these invitation rows (the file number becomes a marker, as it is unique
    per expiry date); returns how many changed."""
    changed = 0
    for pk in queryset.filter(pseudonymised_at__isnull=True).values_list("pk", flat=True):
        changed += Invitation.objects.filter(pk=pk, pseudonymised_at__isnull=True).update(
            pseudonymised_at=now, file_number=f"~{pk}", **INVITATION_PLACEHOLDERS
        )
    return changed


def is_no_longer_stored(appointment):
    """True once the appointment's personal data were removed (by retention or on request)."""
    return appointment is not None and appointment.pseudonymised_at is not None


def no_longer_stored_by_code(code):
    """True when `code` belongs to an appointment whose personal data were removed."""
    return (
        bool(code)
        and Appointment.objects.filter(code=code, pseudonymised_at__isnull=False).exists()
    )


@transaction.atomic
def pseudonymise_appointment(
    *, appointment_id, actor=None, reason="request", now=None, on_request=False, **details
):
    """Remove one ended appointment's personal data at once (a resident's or a written request).

    Refuses an appointment still ahead or under way (StillActive: cancel it first); returns
    True if it changed, False if it was pseudonymised before. Logs `appointment.pseudonymised`
    with `reason` and `details` (no personal data). `on_request` is the resident's erasure
    ("delete my data now", privacy.erase_booking_data, after cancelling a future appointment):
    its invitation row goes too whatever its state, and the event is
    `appointment.personal_data_erased`.
    """
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().get(pk=appointment_id)
    if appointment.status in ACTIVE_STATUSES:
        raise StillActive()
    if appointment.pseudonymised_at is not None:
        return False
    pseudonymise_appointments([appointment.pk], now=now, on_request=on_request)
    log_event(
        action=ERASED_ACTION if on_request else PSEUDONYMISED_ACTION,
        appointment=appointment,
        actor=actor,
        at=now,
        reason=str(reason),
        **details,
    )
    return True


def invitations_of_batches(batch_ids):
    return Invitation.objects.filter(
        Q(batch_id__in=batch_ids), pseudonymised_at__isnull=True
    ).order_by("pk")
