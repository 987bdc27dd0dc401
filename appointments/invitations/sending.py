"""Sending invitations (e-mail through the outbox, or marked for the letter batch), the one
reminder and the answer deadline.

Every step is a guarded UPDATE on the invitation (a lifecycle move, or the reminder's stamp),
so running it twice (scheduler, retries, two workers) sends nothing twice.
"""

import contextlib
import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import background, booking, notifications
from ..audit import log_event
from ..availability import local_datetime
from ..documents import ics_attachment
from ..errors import InvitationTransitionNotAllowed, TransitionNotAllowed
from ..models import (
    CancellationReason,
    Invitation,
    InvitationBatch,
    InvitationDelivery,
    InvitationState,
    Status,
)
from . import lifecycle
from .links import links

logger = logging.getLogger(__name__)

STALE_ALLOCATION = dt.timedelta(minutes=10)


def answer_deadline(*, sent_at, appointment_start):
    """The end of the day by which to answer: INVITATION_ANSWER_DAYS after sending, but some
    days before the appointment (and never before the day after sending)."""
    sent_day = timezone.localdate(sent_at)
    day = min(
        sent_day + dt.timedelta(days=settings.INVITATION_ANSWER_DAYS),
        timezone.localdate(appointment_start)
        - dt.timedelta(days=settings.INVITATION_DEADLINE_BEFORE_DAYS),
    )
    return local_datetime(max(day, sent_day + dt.timedelta(days=1)), dt.time(23, 59))


def _rows(queryset):
    return queryset.select_related(
        "service",
        "appointment",
        "appointment__slot",
        "appointment__slot__team",
        "appointment__service",
    )


def _send_mail(kind, invitation, occasion=""):
    return notifications.send(
        kind,
        invitation.appointment,
        occasion=occasion,
        attachments=[ics_attachment(invitation.appointment)],
        invitation=invitation,
        answer_deadline=invitation.answer_by,
        **links(invitation),
    )


def send_one(invitation, *, actor=None, now):
    """Send one allocated invitation; returns its delivery ("email"/"letter") or None."""
    if invitation.appointment.status != Status.BOOKED:
        return None
    delivery = InvitationDelivery.EMAIL if invitation.email else InvitationDelivery.LETTER
    deadline = answer_deadline(sent_at=now, appointment_start=invitation.appointment.slot.start)
    with transaction.atomic():
        try:
            lifecycle.move(
                invitation_id=invitation.pk,
                to_state=InvitationState.SENT,
                actor=actor,
                now=now,
                extra_fields={"delivery": delivery, "answer_by": deadline},
                delivery=delivery,
            )
        except InvitationTransitionNotAllowed:
            return None  # sent by another run, or its appointment's outcome came first
        invitation.answer_by, invitation.delivery = deadline, delivery
        if delivery == InvitationDelivery.EMAIL:
            _send_mail("invitation", invitation)
    return delivery


def send_batch(*, batch_id, actor=None, now=None):
    """Send every allocated invitation of a batch: e-mails go to the outbox, the others are
    marked for the letter batch (PDF). Returns {"email": n, "letter": m}."""
    now = now or timezone.now()
    counts = {InvitationDelivery.EMAIL.value: 0, InvitationDelivery.LETTER.value: 0}
    pending = _rows(
        Invitation.objects.filter(batch_id=batch_id, state=InvitationState.ALLOCATED)
    ).order_by("row_number")
    for invitation in pending.iterator(chunk_size=200):
        delivery = send_one(invitation, actor=actor, now=now)
        if delivery:
            counts[delivery] += 1
    return counts


def request_sending(*, batch_id, actor=None):
    log_event(action="invitation.sending_requested", actor=actor, batch=batch_id)
    background.enqueue_after_commit("appointments.tasks.send_invitations", batch_id)


def send_reminders(*, now=None):
    """One reminder to each invitee who has not answered N days after the invitation; for
    letters the reminder is marked and printed with the reminder letters. Returns how many."""
    now = now or timezone.now()
    due = _rows(
        Invitation.objects.filter(
            state=InvitationState.SENT,
            reminded_at__isnull=True,
            sent_at__lte=now - dt.timedelta(days=settings.INVITATION_REMINDER_AFTER_DAYS),
            answer_by__gt=now,
            appointment__status=Status.BOOKED,
            appointment__slot__start__gt=now,
        )
    )
    reminded = 0
    for invitation in due.iterator(chunk_size=200):
        with transaction.atomic():
            won = Invitation.objects.filter(
                pk=invitation.pk, state=InvitationState.SENT, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not won:
                continue
            if invitation.delivery == InvitationDelivery.EMAIL:
                _send_mail("invitation_reminder", invitation)
            log_event(
                action="invitation.reminded",
                appointment=invitation.appointment,
                at=now,
                invitation=invitation.pk,
            )
        reminded += 1
    return reminded


def apply_deadlines(*, now=None):
    """Unanswered by the deadline: keep the reservation or release it, per
    INVITATION_UNANSWERED. Returns how many."""
    now = now or timezone.now()
    release = settings.INVITATION_UNANSWERED == "release"
    state = InvitationState.RELEASED if release else InvitationState.NO_ANSWER
    overdue = Invitation.objects.filter(state=InvitationState.SENT, answer_by__lte=now)
    handled = 0
    for invitation in overdue.select_related("appointment").iterator(chunk_size=200):
        with transaction.atomic():
            try:
                lifecycle.move(
                    invitation_id=invitation.pk,
                    to_state=state,
                    now=now,
                    extra_fields={"no_answer_at": now} if release else None,
                )
            except InvitationTransitionNotAllowed:
                continue  # answered meanwhile
            if release and invitation.appointment.status == Status.BOOKED:
                # Released first, so the cancellation below leaves the invitation released.
                # Checked in or cancelled meanwhile: that move recorded the outcome.
                with contextlib.suppress(TransitionNotAllowed):
                    booking.cancel(
                        appointment_id=invitation.appointment_id,
                        reason=CancellationReason.STAFF,
                        now=now,
                    )
        handled += 1
    return handled


def resume_allocations(*, now=None):
    """Re-enqueue allocations whose worker was lost (no progress for a while)."""
    now = now or timezone.now()
    stale = now - STALE_ALLOCATION
    batches = InvitationBatch.objects.filter(
        allocation_requested_at__lte=stale, allocation_finished_at__isnull=True
    ).filter(Q(allocation_heartbeat_at__isnull=True) | Q(allocation_heartbeat_at__lte=stale))
    resumed = list(batches.values_list("pk", flat=True))
    for batch_id in resumed:
        InvitationBatch.objects.filter(pk=batch_id).update(allocation_heartbeat_at=now)
        background.enqueue("appointments.tasks.allocate_invitations", batch_id)
    return len(resumed)


def sweep(*, now=None):
    """The periodic job: deadlines, reminders, lost allocations. (Outcomes are recorded when
    the appointment moves, see lifecycle.appointment_moved.)"""
    now = now or timezone.now()
    return {
        "deadlines": apply_deadlines(now=now),
        "reminders": send_reminders(now=now),
        "resumed": resume_allocations(now=now),
    }
