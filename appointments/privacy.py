"""The resident's rights on their own data (GDPR Art. 15 and 17): everything stored about one
booking and its case, and erasure at once (a future appointment is cancelled first).

`erase_booking_data` pseudonymises as retention does (appointments.retention): what identifies
the person goes, what the statistics need stays (code, service, team, times, channel, status
timestamps, language).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import booking, notifications
from .errors import ErasureNotPossible
from .models import (
    WAITING_MESSAGES,
    Appointment,
    CancellationReason,
    Event,
    Invitation,
    OutboxMessage,
    Status,
)
from .names import surname_key
from .retention import is_no_longer_stored, pseudonymise_appointment

VISIT_UNDER_WAY = (Status.CHECKED_IN, Status.CALLED, Status.IN_SERVICE)


@dataclass
class Erasure:
    appointment: Appointment
    cancelled: bool = False
    already_erased: bool = False


def _invitation(appointment):
    return Invitation.objects.filter(appointment=appointment).first()


def _when(value):
    return timezone.localtime(value).isoformat(timespec="minutes") if value else None


def _field(key, label, value):
    return {"key": key, "label": label, "value": value}


def _appointment_fields(appointment):
    slot = appointment.slot
    return [
        _field("code", _("Booking code"), appointment.code),
        _field("status", _("Status"), str(appointment.get_status_display())),
        _field("channel", _("Booked via"), str(appointment.get_channel_display())),
        _field("service", _("Concern"), appointment.service.localized_name),
        _field("team", _("Team"), slot.team.name),
        _field("location", _("Location"), slot.team.location),
        _field("start", _("Start"), _when(slot.start)),
        _field("end", _("End"), _when(slot.end)),
        _field("surname", _("Surname"), appointment.surname),
        _field("given_names", _("Given names"), appointment.given_names),
        _field(
            "date_of_birth",
            _("Date of birth"),
            None if is_no_longer_stored(appointment) else appointment.date_of_birth.isoformat(),
        ),
        _field("nationality", _("Nationality"), str(appointment.nationality.name)),
        _field("email", _("E-mail"), appointment.email),
        _field("phone", _("Phone"), appointment.phone),
        _field("language", _("Language of messages"), appointment.get_language_display()),
        _field("interpreter_needed", _("Language help wanted"), appointment.interpreter_needed),
        _field("interpreter_language", _("Language help in"), appointment.interpreter_language),
        _field("needs_wheelchair", _("Wheelchair access"), appointment.needs_wheelchair),
        _field(
            "needs_sign_language", _("Sign-language interpreter"), appointment.needs_sign_language
        ),
        _field("needs_companion", _("Accompanying person"), appointment.needs_companion),
        _field("needs_note", _("Note on needs"), appointment.needs_note),
        _field("internal_note", _("Note of the office"), appointment.internal_note),
        _field("waiting_number", _("Waiting number"), appointment.waiting_number),
        _field("outcome", _("Outcome of the visit"), str(appointment.get_outcome_display())),
        _field("created_at", _("Created"), _when(appointment.created_at)),
        _field("booked_at", _("Confirmed"), _when(appointment.booked_at)),
        _field("checked_in_at", _("Checked in"), _when(appointment.checked_in_at)),
        _field("completed_at", _("Completed"), _when(appointment.completed_at)),
        _field("cancelled_at", _("Cancelled"), _when(appointment.cancelled_at)),
        _field("no_show_at", _("Marked as not come"), _when(appointment.no_show_at)),
        _field(
            "secret_link",
            _("Secret link"),
            _("deleted") if is_no_longer_stored(appointment) else _("stored only as a hash"),
        ),
    ]


def _invitation_fields(invitation):
    return [
        _field("file_number", _("File number"), invitation.file_number),
        _field("surname", _("Surname"), invitation.surname),
        _field("given_names", _("Given names"), invitation.given_names),
        _field("salutation", _("Salutation"), invitation.get_salutation_display()),
        _field("email", _("E-mail"), invitation.email),
        _field("postal_address", _("Postal address"), invitation.postal_address),
        _field("permit_type", _("Residence permit"), invitation.permit_type),
        _field("expiry_date", _("Permit expires"), invitation.expiry_date.isoformat()),
        _field("state", _("Status"), str(invitation.get_state_display())),
        _field("decline_note", _("Your note"), invitation.decline_note),
        _field("sent_at", _("Invitation sent"), _when(invitation.sent_at)),
    ]


def _action_label(action):
    """An event's action in words: the status it moved to, or a few named steps."""
    topic, _dot, step = action.partition(".")
    named = {
        "rescheduled": _("moved to another time"),
        "attendance_confirmed": _("you confirmed that you will come"),
        "personal_data_erased": _("personal data deleted"),
        "pseudonymised": _("personal data deleted"),
        "personal_data.viewed": _("opened by staff"),
        "personal_data.exported": _("exported by staff"),
    }
    if action in named:
        return named[action]
    if step in named:
        return named[step]
    if topic == "appointment" and step in Status.values:
        return str(Status(step).label)
    return action


def _table(key, title, columns, rows):
    return {"key": key, "title": title, "columns": columns, "rows": rows}


def stored_data(*, appointment):
    """Everything stored about this booking and its case, as titled sections of labelled
    values (or tables) in the active language; the same structure feeds the page and the JSON
    file. Other people's data (staff names, other residents) is never part of it."""
    appointment = Appointment.objects.select_related("slot__team", "service", "case").get(
        pk=appointment.pk
    )
    sections = [
        {
            "key": "appointment",
            "title": _("Your appointment"),
            "fields": _appointment_fields(appointment),
        }
    ]
    if appointment.case_id:
        visits = (
            appointment.case.appointments.exclude(pk=appointment.pk)
            .select_related("slot", "service")
            .order_by("slot__start")
        )
        sections.append(
            _table(
                "case",
                _("Other visits of the same case"),
                [_("Booking code"), _("Concern"), _("Start"), _("Status")],
                [
                    [
                        v.code,
                        v.service.localized_name,
                        _when(v.slot.start),
                        str(v.get_status_display()),
                    ]
                    for v in visits
                ],
            )
        )
    invitation = _invitation(appointment)
    if invitation is not None:
        sections.append(
            {
                "key": "invitation",
                "title": _("Your invitation"),
                "fields": _invitation_fields(invitation),
            }
        )
    events = Event.objects.filter(appointment=appointment).order_by("at", "pk")
    sections.append(
        _table(
            "history",
            _("History of the appointment"),
            [_("When"), _("What")],
            [[_when(event.at), _action_label(event.action)] for event in events],
        )
    )
    outbox = OutboxMessage.objects.filter(appointment=appointment).order_by("created_at", "pk")
    sections.append(
        _table(
            "messages",
            _("Messages we sent you"),
            [_("Subject"), _("Written"), _("Sent")],
            [[m.subject, _when(m.created_at), _when(m.sent_at)] for m in outbox],
        )
    )
    return {"code": appointment.code, "generated_at": _when(timezone.now()), "sections": sections}


def appointments_of_person(*, surname, date_of_birth):
    """Appointments stored for a surname (in any spelling of the same letters) and birth date."""
    return (
        Appointment.objects.filter(surname_key=surname_key(surname), date_of_birth=date_of_birth)
        .select_related("slot__team", "service")
        .order_by("-slot__start")
    )


@transaction.atomic
def erase_booking_data(*, appointment, actor=None, now=None):
    """Cancel the appointment if it is still to come, mail what is deleted, then pseudonymise
    the appointment, its invitation and its sent messages (retention's
    pseudonymise_appointment, on request); one event.

    Raises ErasureNotPossible while the visit is under way; a second call changes nothing.
    """
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if is_no_longer_stored(appointment):
        return Erasure(appointment=appointment, already_erased=True)
    still_to_come = appointment.status in (Status.HELD, Status.BOOKED)
    if appointment.status in VISIT_UNDER_WAY or (still_to_come and appointment.slot.start <= now):
        # Today's visit is due or running: its outcome (kept, no-show) is recorded first.
        raise ErasureNotPossible()
    cancelled = False
    if still_to_come:
        booking.cancel(
            appointment_id=appointment.pk,
            reason=CancellationReason.RESIDENT,
            actor=actor,
            now=now,
        )
        cancelled = True
        appointment.refresh_from_db()
        # One mail, not two: the erasure mail says the appointment was cancelled, so the
        # cancellation mail written just now in this transaction is withdrawn before it leaves.
        OutboxMessage.objects.filter(
            appointment=appointment, kind="cancellation", status__in=WAITING_MESSAGES
        ).delete()
    invitation = _invitation(appointment)
    # The mail needs the address, so it is written before the address is blanked.
    notifications.send(
        "erasure", appointment, cancelled=cancelled, had_invitation=invitation is not None
    )
    # The same pseudonymisation as retention's: the same blanks, messages and events cleaned
    # alike; the erasure mail is still to be sent, so it keeps its address until it is out.
    pseudonymise_appointment(
        appointment_id=appointment.pk,
        actor=actor,
        now=now,
        reason="art17",
        on_request=True,
        by="staff" if actor is not None and actor.is_authenticated else "resident",
        cancelled=cancelled,
        invitation=invitation is not None,
    )
    appointment.refresh_from_db()
    return Erasure(appointment=appointment, cancelled=cancelled)
