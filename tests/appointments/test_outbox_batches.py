"""Batched delivery (issue 18): rows claimed in one UPDATE … RETURNING, sent through one SMTP
connection, each marked sent as soon as the server has accepted it; reminders written in chunks
and handed over as one batch each."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments import background, booking
from appointments.models import OutboxMessage, OutboxStatus
from appointments.notifications import outbox, reminders
from tests.conftest import free_port
from tests.factories import bookable_slot, person


class CountingSink:
    """An SMTP server that counts its sessions and refuses the first `failures` mails."""

    def __init__(self, failures=0):
        self.failures = failures
        self.sessions = 0
        self.recipients = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        if self.failures > 0:
            self.failures -= 1
            return "451 4.3.0 Try again later"
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def sink(settings):
    from aiosmtpd.controller import Controller

    controller = Controller(CountingSink(), hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield controller.handler
    controller.stop()


def pending(count, prefix="m"):
    return [
        OutboxMessage.objects.create(
            kind="reminder", idempotency_key=f"{prefix}-{n}", recipient=f"r{n}@example.test",
            language="de", subject="Erinnerung", text_body="Ihr Termin ist morgen.",
        ).pk
        for n in range(count)
    ]  # fmt: skip


def statuses():
    return dict(OutboxMessage.objects.values_list("idempotency_key", "status"))


@pytest.mark.django_db
def test_a_batch_goes_through_one_smtp_connection_and_every_row_is_marked_sent(sink):
    ids = pending(12)
    assert outbox.deliver_batch(ids=ids) == {"sent": 12}
    assert sink.sessions == 1
    assert sorted(sink.recipients) == sorted(f"r{n}@example.test" for n in range(12))
    sent = OutboxMessage.objects.filter(status=OutboxStatus.SENT)
    assert sent.count() == 12
    assert not sent.exclude(text_body="").exists()  # the bodies (secret links) are dropped
    assert outbox.deliver_batch(ids=ids) == {}  # nothing is sent twice


@pytest.mark.django_db
def test_two_claims_never_share_a_row_and_take_only_due_ones():
    ids = pending(5)
    OutboxMessage.objects.filter(pk=ids[4]).update(
        next_attempt_at=timezone.now() + dt.timedelta(minutes=5)
    )
    first = outbox.claim_batch(limit=3)
    second = outbox.claim_batch(limit=3)
    assert first == ids[:3] and second == [ids[3]]  # ids[4] is not due yet
    assert outbox.claim_batch(ids=ids) == []
    claimed = OutboxMessage.objects.filter(pk__in=first + second)
    assert set(claimed.values_list("status", "attempts")) == {(OutboxStatus.SENDING, 1)}


@pytest.mark.django_db
def test_a_claim_left_by_a_killed_worker_is_taken_again_only_after_the_lease(settings):
    settings.OUTBOX_STUCK_MINUTES = 10
    ids = pending(2)
    now = timezone.now()
    assert outbox.claim_batch(now=now) == ids
    assert outbox.claim_batch(now=now + dt.timedelta(minutes=9)) == []
    assert outbox.claim_batch(now=now + dt.timedelta(minutes=11)) == ids


@pytest.mark.django_db
def test_a_refused_mail_is_retried_later_and_the_rest_of_the_batch_goes_out(sink):
    sink.failures = 1
    ids = pending(4)
    assert outbox.deliver_batch(ids=ids) == {"pending": 1, "sent": 3}
    refused = OutboxMessage.objects.get(pk=ids[0])
    assert refused.status == OutboxStatus.PENDING and "451" in refused.last_error
    assert refused.next_attempt_at > timezone.now()
    assert len(sink.recipients) == 3


@pytest.mark.django_db
def test_an_unreachable_server_counts_one_attempt_per_row_and_loses_nothing(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    ids = pending(3)
    assert outbox.deliver_batch(ids=ids) == {"pending": 3}
    rows = OutboxMessage.objects.filter(pk__in=ids)
    assert set(rows.values_list("status", "attempts")) == {(OutboxStatus.PENDING, 1)}
    assert all("ConnectionRefused" in error for error in rows.values_list("last_error", flat=True))


@pytest.mark.django_db
def test_a_batch_interrupted_by_a_hard_stop_gives_back_what_it_has_not_sent(monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    ids = pending(4)
    original, calls = EmailBackend.send_messages, []

    def stopped_at_the_third(self, messages):
        calls.append(1)
        if len(calls) == 3:
            raise SystemExit(1)  # what a hard stop of the worker raises in the running task
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", stopped_at_the_third)
    with pytest.raises(SystemExit):
        outbox.deliver_batch(ids=ids)
    rows = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert [rows[pk] for pk in ids] == ["sent", "sent", "pending", "pending"]
    assert set(OutboxMessage.objects.filter(pk__in=ids[2:]).values_list("attempts", flat=True)) == {
        0
    }


@pytest.mark.django_db
def test_a_batch_stopped_by_a_shutdown_sends_what_it_started_and_leaves_the_rest_due(mailoutbox):
    ids = pending(5)
    asked = []

    def stop():
        asked.append(1)
        return len(asked) > 3  # before claiming, before the 2nd and 3rd mail: go on; then stop

    assert outbox.deliver_batch(ids=ids, stop=stop) == {"sent": 3}
    assert len(mailoutbox) == 3
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING, attempts=0).count() == 2


@pytest.mark.django_db(transaction=True)  # real transactions: no savepoints in the count
def test_delivering_a_batch_costs_two_queries_and_one_per_mail(
    mailoutbox, django_assert_num_queries, settings
):
    ids = pending(6)
    # claim (UPDATE … RETURNING), load the rows, one mark per mail; on PostgreSQL the marks
    # do not wait for the WAL flush (SET and RESET synchronous_commit around the batch)
    postgresql = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    with django_assert_num_queries(2 + 6 + (2 if postgresql else 0)):
        assert outbox.deliver_batch(ids=ids) == {"sent": 6}


@pytest.mark.django_db
def test_reminders_are_written_in_chunks_each_handed_over_as_one_batch(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.REMINDER_LEADS_HOURS = [24]
    monkeypatch.setattr(reminders, "BATCH_SIZE", 3)
    service, _team, slot = bookable_slot(days_ahead=1, capacity=7)
    for n in range(7):
        booking.book(service=service, slot_id=slot.pk, person=person(n), channel="staff")
    OutboxMessage.objects.all().delete()  # the confirmations
    handed = []
    monkeypatch.setattr(background, "enqueue", lambda name, *args: handed.append((name, *args)))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.schedule_reminders() == 7
    assert [name for name, _ids in handed] == [outbox.DELIVER_TASK] * 3
    batches = [ids for _name, ids in handed]
    assert [len(ids) for ids in batches] == [3, 3, 1]
    written = OutboxMessage.objects.filter(kind="reminder")
    assert sorted(pk for ids in batches for pk in ids) == sorted(
        written.values_list("pk", flat=True)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.schedule_reminders() == 0  # once per appointment and lead
    assert len(handed) == 3
