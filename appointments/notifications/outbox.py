"""Delivering the outbox: claim a row, send it with Django's mail backend, record the result.

A claim is a guarded UPDATE (pending → sending), so two workers never send the same row;
the sweeper picks due rows with SKIP LOCKED on PostgreSQL (serial but correct on SQLite).
A row left in "sending" by a killed worker is retried after OUTBOX_STUCK_MINUTES. A worker that
is stopped (SIGTERM) finishes the row it is sending, claims no further one (`sweep`'s `stop`), and
a send interrupted by the shutdown puts its row back to pending at once.
"""

import base64
import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .. import background, metrics
from ..audit import log_event
from ..models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

# What a failed delivery may raise: SMTP refusals and network errors (retried).
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)
DELIVER_TASK = "appointments.tasks.deliver_message"


def enqueue_after_commit(message_id):
    """Ask a worker to deliver once the transaction has committed; if the broker is down, the
    row stays pending and the sweeper sends it."""
    background.enqueue_after_commit(DELIVER_TASK, message_id)


def _backoff(attempts):
    seconds = settings.OUTBOX_RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0))
    return dt.timedelta(seconds=min(seconds, 3600))


def _claim(message_id, now):
    """pending (due) → sending; True if this caller won the row."""
    stuck = now - dt.timedelta(minutes=settings.OUTBOX_STUCK_MINUTES)
    return bool(
        OutboxMessage.objects.filter(pk=message_id)
        .filter(
            Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            | Q(status=OutboxStatus.SENDING, claimed_at__lt=stuck)
        )
        .update(status=OutboxStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _email(message):
    email = EmailMultiAlternatives(
        message.subject,
        message.text_body,
        to=[message.recipient],
        headers={"Message-ID": f"<outbox-{message.pk}@{settings.MESSAGE_ID_DOMAIN}>"},
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    for item in message.attachments:
        email.attach(item["filename"], base64.b64decode(item["content"]), item["mimetype"])
    return email


def deliver(*, message_id, now=None):
    """Send one outbox message if it is due and nobody else is sending it; returns its status."""
    now = now or timezone.now()
    if not _claim(message_id, now):
        return None
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        _email(message).send()
    except DELIVERY_ERRORS as error:
        failed = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.FAILED if failed else OutboxStatus.PENDING,
            next_attempt_at=now + _backoff(message.attempts),
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        metrics.mail_failed(final=failed)
        logger.warning(
            "outbox message %s (%s) attempt %s failed: %s",
            message_id,
            message.kind,
            message.attempts,
            type(error).__name__,
        )
        return OutboxStatus.FAILED if failed else OutboxStatus.PENDING
    except BaseException:
        # Interrupted (the worker is stopped hard): give the claim back for another worker.
        return_claim(message_id=message_id, attempts=message.attempts - 1)
        raise
    # Sent: drop the bodies, which may contain the secret manage link.
    OutboxMessage.objects.filter(pk=message_id).update(
        status=OutboxStatus.SENT,
        sent_at=timezone.now(),
        text_body="",
        html_body="",
        attachments=[],
        last_error="",
    )
    logger.info("outbox message %s (%s) sent", message_id, message.kind)
    return OutboxStatus.SENT


def return_claim(*, message_id, attempts):
    """sending → pending, due now, the attempt not counted (a shutdown is not the row's fault)."""
    OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.PENDING, next_attempt_at=timezone.now(), attempts=attempts
    )
    logger.info("outbox message %s returned to pending (worker stopping)", message_id)


def due_messages(*, now=None, limit=100):
    """Ids of messages due for (re)delivery, locked rows skipped (PostgreSQL)."""
    now = now or timezone.now()
    stuck = now - dt.timedelta(minutes=settings.OUTBOX_STUCK_MINUTES)
    with transaction.atomic():
        return list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
                | Q(status=OutboxStatus.SENDING, claimed_at__lt=stuck)
            )
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )


def sweep(*, now=None, limit=100, stop=None):
    """Deliver what is due (lost tasks, retries after failures); returns {status: count}.
    `stop()` true (the worker is shutting down): claim nothing more, leave the rest pending."""
    counts = {}
    for message_id in due_messages(now=now, limit=limit):
        if stop is not None and stop():
            logger.info("outbox sweep stops early: the worker is shutting down")
            break
        status = deliver(message_id=message_id, now=now)
        if status:
            counts[status] = counts.get(status, 0) + 1
    return counts


@transaction.atomic
def resend(*, message_id, actor=None):
    """Put a failed message back in the queue (staff action); returns True if it was failed."""
    updated = OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.FAILED).update(
        status=OutboxStatus.PENDING, next_attempt_at=timezone.now(), attempts=0
    )
    if updated:
        message = OutboxMessage.objects.get(pk=message_id)
        log_event(
            action="outbox.resent", appointment=message.appointment, actor=actor, message=message_id
        )
        enqueue_after_commit(message_id)
    return bool(updated)
