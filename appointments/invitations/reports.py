"""What the supervisor screens read: batches with counts per state, rows, the CSV export."""

import io

from django.db.models import Count, Q
from django.utils import timezone

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


EXPORT_COLUMNS = [
    "row",
    "file_number",
    "surname",
    "given_names",
    "date_of_birth",
    "nationality",
    "language",
    "email",
    "postal_address",
    "permit_type",
    "expiry_date",
    "service",
    "state",
    "problem",
    "team",
    "appointment",
    "booking_code",
    "delivery",
    "sent_at",
    "reminded_at",
    "answer_by",
    "confirmed_at",
    "rescheduled_at",
    "declined_at",
    "decline_reason",
    "decline_note",
]


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_lines(batch_id):
    """The batch as CSV lines (UTF-8 with BOM, ";"-separated as German spreadsheets expect)."""
    buffer = io.StringIO()
    writer = csv_export.writer(buffer, delimiter=";")

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(EXPORT_COLUMNS)
    yield flush()
    for row in rows(batch_id).iterator(chunk_size=500):
        appointment = row.appointment
        values = [
            row.row_number,
            row.file_number,
            row.surname,
            row.given_names,
            row.date_of_birth.isoformat(),
            str(row.nationality),
            row.language,
            row.email,
            row.postal_address.replace("\n", ", "),
            row.permit_type,
            row.expiry_date.isoformat(),
            row.service.slug,
            row.state,
            row.problem,
            appointment.slot.team.name if appointment else "",
            _when(appointment.slot.start) if appointment else "",
            appointment.code if appointment else "",
            row.delivery,
            _when(row.sent_at),
            _when(row.reminded_at),
            _when(row.answer_by),
            _when(row.confirmed_at),
            _when(row.rescheduled_at),
            _when(row.declined_at),
            row.decline_reason,
            row.decline_note,
        ]
        writer.writerow(values)
        yield flush()
