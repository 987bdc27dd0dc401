"""Delivering the outbox: claim rows, send them with Django's mail backend, record the result.

A claim is a guarded UPDATE (pending → sending), so two workers never send the same row. A batch
is claimed in one `UPDATE … RETURNING` (SKIP LOCKED on PostgreSQL, serial but correct on SQLite)
and sent through one SMTP connection; each row is marked sent as soon as the server has accepted
it, so a worker killed mid-batch leaves only unsent rows (and at most the one in flight) behind.
A row left in "sending" by a killed worker is retried after OUTBOX_STUCK_MINUTES. A worker that
is stopped (SIGTERM) finishes the row it is sending, claims no further one (`stop`), and
rows claimed but not sent go back to pending at once.

A row stored unwritten (a new booking's mails, status "unwritten", `render_context`) is due
like a pending one and written by the worker just before it is sent (messages.write); until
it is sent it keeps its context and goes back to "unwritten", never to "pending".
"""

import base64
import datetime as dt
import logging
import smtplib
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from .. import background, metrics, outage
from ..audit import log_event
from ..models import WAITING_MESSAGES, OutboxMessage, OutboxStatus
from . import messages  # (messages imports this module too: attributes are used at call time)

logger = logging.getLogger(__name__)

# What a failed delivery may raise: SMTP refusals and network errors (retried).
DELIVERY_ERRORS = (smtplib.SMTPException, OSError)
DELIVER_TASK = "appointments.tasks.deliver_messages"
DELIVER_DUE_TASK = "appointments.tasks.deliver_due"
BATCH_SIZE = 200  # rows per claim: one SMTP connection, bounded memory, a short lease
# The shared flag "a delivery of what is due is asked for and has not begun" (coalesced
# delivery); it lapses by itself, so a lost task holds later messages back this long at most
# (and the sweeper sends them meanwhile).
ASKED_KEY = "outbox:delivery-asked"
ASKED_SECONDS = 30


def enqueue_after_commit(*message_ids, together=False):
    """Ask a worker to deliver once the transaction has committed; if the broker is down, the
    rows stay pending and the sweeper sends them.

    Coalesced (OUTBOX_COALESCED_DELIVERY, with Redis), for a message written alone (a booking's,
    a cancellation's): only the first one after a worker began delivering publishes a task
    (`deliver_due`); every later one finds the flag set and is sent by that task, which takes
    the flag down before it claims: a message committed before the flag was seen set is
    claimed after it was taken down. Messages written `together` (a chunk of reminders) get a
    task per batch, so that several worker processes share a large send."""
    if settings.OUTBOX_COALESCED_DELIVERY and not together:
        transaction.on_commit(_ask_for_delivery)
        return
    for start in range(0, len(message_ids), BATCH_SIZE):
        background.enqueue_after_commit(DELIVER_TASK, list(message_ids[start : start + BATCH_SIZE]))


def _ask_for_delivery():
    """Publish `deliver_due` unless the shared flag says it is asked for already."""
    if not outage.CACHE.active():
        try:
            if not cache.add(ASKED_KEY, 1, ASKED_SECONDS):
                return
        except outage.CACHE_ERRORS as error:
            outage.CACHE.start(error)  # not known whether it is asked for: ask
    if not background.enqueue(DELIVER_DUE_TASK):
        _asked_no_more()  # not published: the next message asks again (or the sweeper sends)


def _asked_no_more():
    if not outage.CACHE.active():
        try:
            cache.delete(ASKED_KEY)
        except outage.CACHE_ERRORS as error:
            outage.CACHE.start(error)


def deliver_due(*, now=None, stop=None):
    """Deliver everything due, batch after batch (coalesced delivery's task); returns
    {status: count}. The flag comes down first: whatever is committed from then on asks anew."""
    _asked_no_more()
    counts = {}
    while True:
        batch = deliver_batch(now=now, limit=BATCH_SIZE, stop=stop)
        for status, count in batch.items():
            counts[status] = counts.get(status, 0) + count
        if sum(batch.values()) < BATCH_SIZE or (stop is not None and stop()):
            return counts


# The statuses of a row waiting for its (next) attempt, and the one it goes back to: an
# unwritten row stays unwritten until it is sent, so no earlier release's worker sends it blank.
WAITING = WAITING_MESSAGES
WAITING_AGAIN = Case(
    When(render_context__isnull=True, then=Value(OutboxStatus.PENDING)),
    default=Value(OutboxStatus.UNWRITTEN),
)


def _waiting_again(message):
    return OutboxStatus.PENDING if message.render_context is None else OutboxStatus.UNWRITTEN


def _written(message):
    """The message ready to send: an unwritten one is written now, from its appointment."""
    return message if message.render_context is None else messages.write(message)


def _backoff(attempts):
    seconds = settings.OUTBOX_RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0))
    return dt.timedelta(seconds=min(seconds, 3600))


def _claim(message_id, now):
    """pending (due) → sending; True if this caller won the row."""
    stuck = now - dt.timedelta(minutes=settings.OUTBOX_STUCK_MINUTES)
    return bool(
        OutboxMessage.objects.filter(pk=message_id)
        .filter(
            Q(status__in=WAITING, next_attempt_at__lte=now)
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
        _email(_written(message)).send()
    except (*DELIVERY_ERRORS, messages.Unwritable) as error:
        return _failed(message, error, now)
    except BaseException:
        # Interrupted (the worker is stopped hard): give the claim back for another worker.
        return_claim(message_id=message_id, attempts=message.attempts - 1)
        raise
    return _sent(message)


def _failed(message, error, now):
    """A refused or broken delivery: retried with backoff, failed after the last attempt."""
    failed = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    again = OutboxStatus.FAILED if failed else _waiting_again(message)
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
        status=again,
        subject=message.subject,  # (written by the worker: what the list of failures shows)
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
    return again


def _sent(message):
    """Sent: drop the bodies and the context, which may contain the secret manage link."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENT,
        sent_at=timezone.now(),
        subject=message.subject,  # kept (booking code only); a worker-written row gets it now
        text_body="",
        html_body="",
        attachments=[],
        render_context=None,
        last_error="",
    )
    logger.info("outbox message %s (%s) sent", message.pk, message.kind)
    return OutboxStatus.SENT


def claim_batch(*, ids=None, now=None, limit=BATCH_SIZE):
    """Due rows (pending or unwritten, or left in sending by a killed worker) → sending, in one
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
        f"WHERE id IN (SELECT id FROM {table} WHERE "
        f"((status IN (%s, %s) AND next_attempt_at <= %s) OR (status = %s AND claimed_at < %s)) "
        f"{among} ORDER BY next_attempt_at, id "
        f"LIMIT %s{lock}) RETURNING id"
    )
    with db.cursor() as cursor:  # one statement: atomic on its own
        cursor.execute(
            sql,
            [
                OutboxStatus.SENDING,
                at,
                *WAITING,
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
    messages.for_writing(waiting)
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
                connection.send_messages([_email(_written(message), connection)])
            except (*DELIVERY_ERRORS, messages.Unwritable) as error:
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
    """sending → pending (or unwritten), due now, the attempt not counted (a shutdown is not
    the row's fault)."""
    OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.SENDING).update(
        status=WAITING_AGAIN, next_attempt_at=timezone.now(), attempts=attempts
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
        status=WAITING_AGAIN, next_attempt_at=timezone.now(), attempts=0
    )
    if updated:
        message = OutboxMessage.objects.get(pk=message_id)
        log_event(
            action="outbox.resent", appointment=message.appointment, actor=actor, message=message_id
        )
        enqueue_after_commit(message_id)
    return bool(updated)
