"""Delivering the outbox: claim rows, send them with Django's mail backend, record the result.

A claim is a guarded UPDATE (pending → sending), so two workers never send the same row. A batch
is claimed in one `UPDATE … RETURNING` (SKIP LOCKED on PostgreSQL, serial but correct on SQLite)
and sent through one SMTP connection; each row is marked sent as soon as the server has accepted
it, so a worker killed mid-batch leaves only unsent rows (and at most the one in flight) behind.
A row left in "sending" by a killed worker is retried after OUTBOX_STUCK_MINUTES. A worker that
is stopped (SIGTERM) finishes the row it is sending, claims no further one (`stop`), and
rows claimed but not sent go back to pending at once.
"""

import base64
import datetime as dt
import logging
import smtplib
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .. import background, metrics
from ..audit import log_event
from ..models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

# What a failed delivery may raise: SMTP refusals and network errors (retried).
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)
DELIVER_TASK = "appointments.tasks.deliver_messages"
BATCH_SIZE = 200  # rows per claim: one SMTP connection, bounded memory, a short lease


def enqueue_after_commit(*message_ids):
    """Ask a worker to deliver once the transaction has committed; if the broker is down, the
    rows stay pending and the sweeper sends them."""
    for start in range(0, len(message_ids), BATCH_SIZE):
        background.enqueue_after_commit(DELIVER_TASK, list(message_ids[start : start + BATCH_SIZE]))


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


def _email(message, connection=None):
    email = EmailMultiAlternatives(
        message.subject,
        message.text_body,
        to=[message.recipient],
        connection=connection,
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
        return _failed(message, error, now)
    except BaseException:
        # Interrupted (the worker is stopped hard): give the claim back for another worker.
        return_claim(message_id=message_id, attempts=message.attempts - 1)
        raise
    return _sent(message)


def _failed(message, error, now):
    """A refused or broken delivery: retried with backoff, failed after the last attempt."""
    failed = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.FAILED if failed else OutboxStatus.PENDING,
        next_attempt_at=now + _backoff(message.attempts),
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
    metrics.mail_failed(final=failed)
    logger.warning(
        "outbox message %s (%s) attempt %s failed: %s",
        message.pk,
        message.kind,
        message.attempts,
        type(error).__name__,
    )
    return OutboxStatus.FAILED if failed else OutboxStatus.PENDING


def _sent(message):
    """Sent: drop the bodies, which may contain the secret manage link."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENT,
        sent_at=timezone.now(),
        text_body="",
        html_body="",
        attachments=[],
        last_error="",
    )
    logger.info("outbox message %s (%s) sent", message.pk, message.kind)
    return OutboxStatus.SENT


def claim_batch(*, ids=None, now=None, limit=BATCH_SIZE):
    """Due rows (pending, or left in sending by a killed worker) → sending, in one
    `UPDATE … RETURNING`; returns the claimed ids. Rows another worker has locked are skipped."""
    now = now or timezone.now()
    stuck = now - dt.timedelta(minutes=settings.OUTBOX_STUCK_MINUTES)
    table = db.ops.quote_name(OutboxMessage._meta.db_table)
    at, before = (db.ops.adapt_datetimefield_value(value) for value in (now, stuck))
    among, params = "", []
    if ids is not None:
        ids = [int(pk) for pk in ids][:limit]
        if not ids:
            return []
        among, params = f"AND id IN ({', '.join(['%s'] * len(ids))})", ids
    lock = " FOR UPDATE SKIP LOCKED" if db.features.has_select_for_update_skip_locked else ""
    # Only the table name and the placeholders' count are formatted in; every value is a parameter.
    sql = (
        f"UPDATE {table} SET status = %s, claimed_at = %s, attempts = attempts + 1 "  # noqa: S608
        f"WHERE id IN (SELECT id FROM {table} WHERE ((status = %s AND next_attempt_at <= %s) "
        f"OR (status = %s AND claimed_at < %s)) {among} ORDER BY next_attempt_at, id "
        f"LIMIT %s{lock}) RETURNING id"
    )
    with db.cursor() as cursor:  # one statement: atomic on its own
        cursor.execute(
            sql,
            [
                OutboxStatus.SENDING,
                at,
                OutboxStatus.PENDING,
                at,
                OutboxStatus.SENDING,
                before,
                *params,
                limit,
            ],
        )
        return sorted(row[0] for row in cursor.fetchall())


def deliver_batch(*, ids=None, now=None, limit=BATCH_SIZE, stop=None):
    """Claim up to `limit` due rows (among `ids` if given) and send them through one SMTP
    connection; returns {status: count}. `stop()` true: the rest goes back to pending."""
    now = now or timezone.now()
    counts = {}
    if stop is not None and stop():
        return counts
    claimed = claim_batch(ids=ids, now=now, limit=limit)
    if not claimed:
        return counts
    waiting = list(OutboxMessage.objects.filter(pk__in=claimed).order_by("pk"))
    connection = get_connection()
    with _marks_without_flush_wait():
        _send_claimed(waiting, connection, counts, now, stop)
    return counts


def _send_claimed(waiting, connection, counts, now, stop):
    try:
        while waiting:
            if counts and stop is not None and stop():
                logger.info("outbox batch stops early: the worker is shutting down")
                break
            try:
                connection.open()  # once; again only after an error closed it
            except DELIVERY_ERRORS as error:
                # The server is unreachable: every row of the batch tried and retried later.
                for message in waiting:
                    status = _failed(message, error, now)
                    counts[status] = counts.get(status, 0) + 1
                waiting.clear()
                break
            message = waiting[0]
            try:
                connection.send_messages([_email(message, connection)])
            except DELIVERY_ERRORS as error:
                status = _failed(message, error, now)
                connection.close()  # a refusal may leave the session in any state: start anew
            else:
                status = _sent(message)
            waiting.pop(0)
            counts[status] = counts.get(status, 0) + 1
    finally:
        # Stopped or interrupted: what was claimed but not sent is due again at once.
        for message in waiting:
            return_claim(message_id=message.pk, attempts=message.attempts - 1)
        connection.close()


@contextmanager
def _marks_without_flush_wait():
    """On PostgreSQL, each row's mark commits without waiting for the WAL flush (one fsync per
    mail was a third of the delivery time). A killed worker loses nothing by it; only a crash of
    the database server itself can forget the last marks, and then those mails go out once
    more — never less. SQLite: as it is."""
    if db.vendor != "postgresql" or db.in_atomic_block:
        yield
        return
    with db.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with db.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")  # the connection may serve others later


def return_claim(*, message_id, attempts):
    """sending → pending, due now, the attempt not counted (a shutdown is not the row's fault)."""
    OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.PENDING, next_attempt_at=timezone.now(), attempts=attempts
    )
    logger.info("outbox message %s returned to pending (worker stopping)", message_id)


def sweep(*, now=None, limit=BATCH_SIZE, stop=None):
    """Deliver what is due (lost tasks, retries after failures) in one batch; returns
    {status: count}. `stop()` true (the worker is shutting down): claim nothing more, leave the
    rest pending."""
    return deliver_batch(now=now, limit=limit, stop=stop)


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
