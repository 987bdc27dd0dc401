"""What the supervisor screens read: batches with counts per state, rows, the CSV export."""

import io

from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from .. import csv_export
from ..models import Invitation, InvitationBatch, InvitationState

# The columns of the batch list, in the order of an invitation's life.
STATE_ORDER = [
    InvitationState.IMPORTED,
    InvitationState.NO_PLACE,
    InvitationState.FAILED,
    InvitationState.ALLOCATED,
    InvitationState.SENT,
    InvitationState.CONFIRMED,
    InvitationState.RESCHEDULED,
    InvitationState.DECLINED,
    InvitationState.NO_ANSWER,
    InvitationState.RELEASED,
    InvitationState.CANCELLED,
    InvitationState.KEPT,
    InvitationState.NO_SHOW,
]


def _with_counts(queryset):
    return queryset.annotate(
        total=Count("invitations"),
        **{
            f"n_{state.value}": Count("invitations", filter=Q(invitations__state=state))
            for state in STATE_ORDER
        },
    )


def counts_of(batch):
    """[(state, label, count), …] of an annotated batch."""
    return [(state.value, state.label, getattr(batch, f"n_{state.value}")) for state in STATE_ORDER]


def batches():
    """All batches, newest first, each with `total` and `n_<state>` counts (one query)."""
    return _with_counts(InvitationBatch.objects.select_related("created_by"))


def batch(batch_id):
    return _with_counts(InvitationBatch.objects.filter(pk=batch_id)).first()


def rows(batch_id, *, state=None):
    """The batch's invitations with what the drill-down shows."""
    found = Invitation.objects.filter(batch_id=batch_id).select_related(
        "service", "appointment", "appointment__slot", "appointment__slot__team"
    )
    if state:
        found = found.filter(state=state)
    return found.order_by("row_number")


# The export's headers, translated like the report CSVs (German on the staff side).
EXPORT_COLUMNS = [
    gettext_lazy("Row"),
    gettext_lazy("File number"),
    gettext_lazy("Salutation"),
    gettext_lazy("Surname"),
    gettext_lazy("Given names"),
    gettext_lazy("Date of birth"),
    gettext_lazy("Nationality"),
    gettext_lazy("Language"),
    gettext_lazy("E-mail"),
    gettext_lazy("Postal address"),
    gettext_lazy("Permit type"),
    gettext_lazy("Expiry date"),
    gettext_lazy("Service"),
    gettext_lazy("State"),
    gettext_lazy("Problem"),
    gettext_lazy("Team"),
    gettext_lazy("Appointment"),
    gettext_lazy("Booking code"),
    gettext_lazy("Delivery"),
    gettext_lazy("Sent"),
    gettext_lazy("Reminded"),
    gettext_lazy("Answer by"),
    gettext_lazy("Confirmed"),
    gettext_lazy("Rescheduled"),
    gettext_lazy("Declined"),
    gettext_lazy("Reason for declining"),
    gettext_lazy("Note"),
]


def _when(value):
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M") if value else ""


def _date(value):
    return value.strftime("%d.%m.%Y") if value else ""


def export_lines(batch_id, *, language="de"):
    """The batch as CSV lines (UTF-8 with BOM, ";"-separated as German spreadsheets expect),
    headers and states in `language` (the staff side's German)."""
    with translation.override(language):
        yield from _export_lines(batch_id)


def _export_lines(batch_id):
    buffer = io.StringIO()
    writer = csv_export.writer(buffer, delimiter=";")

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([str(column) for column in EXPORT_COLUMNS])  # the BOM comes first
    yield flush()
    for row in rows(batch_id).iterator(chunk_size=500):
        appointment = row.appointment
        values = [
            row.row_number,
            row.file_number,
            row.get_salutation_display() if row.salutation else "",
            row.surname,
            row.given_names,
            _date(row.date_of_birth),
            str(row.nationality),
            row.language,
            row.email,
            row.postal_address.replace("\n", ", "),
            row.permit_type,
            _date(row.expiry_date),
            row.service.slug,
            row.get_state_display(),
            row.problem,
            appointment.slot.team.name if appointment else "",
            _when(appointment.slot.start) if appointment else "",
            appointment.code if appointment else "",
            row.get_delivery_display() if row.delivery else "",
            _when(row.sent_at),
            _when(row.reminded_at),
            _when(row.answer_by),
            _when(row.confirmed_at),
            _when(row.rescheduled_at),
            _when(row.declined_at),
            row.get_decline_reason_display() if row.decline_reason else "",
            row.decline_note,
        ]
        writer.writerow(values)
        yield flush()
