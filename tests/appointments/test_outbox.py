"""The outbox: written with the change, delivered after commit, retried, never sent twice."""

import datetime as dt
import email
import email.policy
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.utils import timezone
from icalendar import Calendar
from kombu.exceptions import OperationalError

from appointments import booking, tasks
from appointments.models import OutboxMessage, OutboxStatus, Status
from appointments.notifications import outbox, reminders, render_message, send
from tests.conftest import free_port
from tests.factories import bookable_slot, person

KINDS = ["verification", "confirmation", "cancellation", "reschedule", "reminder", "no_show"]


class FlakySink:
    """An SMTP server that refuses the first `failures` messages with 451, then accepts."""

    def __init__(self, failures=0):
        self.failures = failures
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        if self.failures > 0:
            self.failures -= 1
            return "451 4.3.0 Try again later"
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


@pytest.fixture
def smtp(settings):
    from aiosmtpd.controller import Controller

    handler = FlakySink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()


def wait_for(condition, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def parts(message):
    return {part.get_content_type(): part for part in message.walk()}


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_booking_sends_one_verification_then_one_confirmation_through_worker_and_smtp(
    smtp, real_worker
):
    service, _team, slot = bookable_slot()
    appointment, token = booking.book(
        service=service, slot_id=slot.pk, person=person(1, language="en"), channel="online"
    )
    assert wait_for(lambda: len(smtp.messages) == 1)
    verification = smtp.messages[0]
    assert verification["To"] == "erika1@example.test"
    assert "Please confirm your appointment" in verification["Subject"]
    body = parts(verification)["text/plain"].get_payload(decode=True).decode()
    assert f"/en/termin/{appointment.code}/bestaetigen/?t={token}" in body
    booking.verify(code=appointment.code, token=token)
    assert wait_for(lambda: len(smtp.messages) == 2)
    confirmation = smtp.messages[1]
    assert "confirmed" in confirmation["Subject"]
    calendar = Calendar.from_ical(parts(confirmation)["text/calendar"].get_payload(decode=True))
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("dtstart") == slot.start
    assert appointment.code in str(event.get("description"))
    time.sleep(0.5)  # nothing else may arrive
    assert len(smtp.messages) == 2
    sent = OutboxMessage.objects.filter(appointment=appointment)
    assert sent.count() == 2 and set(sent.values_list("status", flat=True)) == {"sent"}
    assert not sent.exclude(text_body="").exists()  # the secret link is not kept at rest


@pytest.mark.django_db(transaction=True)
def test_a_message_whose_broker_was_down_at_commit_goes_out_with_the_sweeper(
    smtp, monkeypatch, settings
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to broker. Connection refused.")

    monkeypatch.setattr(tasks.deliver_messages, "delay", broker_down)
    monkeypatch.setattr(tasks.deliver_due, "delay", broker_down)  # coalesced delivery (Redis)
    service, _team, slot = bookable_slot()
    appointment, _token = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="staff"
    )
    message = OutboxMessage.objects.get(appointment=appointment)
    assert message.status == OutboxStatus.UNWRITTEN and smtp.messages == []
    assert outbox.sweep() == {"sent": 1}
    assert outbox.sweep() == {}
    assert len(smtp.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_smtp_failures_are_retried_with_backoff_and_the_message_arrives_once(smtp):
    smtp.failures = 2
    service, _team, slot = bookable_slot()
    start = timezone.now()
    booking.book(service=service, slot_id=slot.pk, person=person(1), channel="staff")
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.UNWRITTEN and message.attempts == 1
    assert "451" in message.last_error
    assert outbox.sweep(now=start) == {}  # not due yet: the first retry waits a minute
    assert outbox.sweep(now=start + dt.timedelta(seconds=61)) == {"unwritten": 1}
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at >= start + dt.timedelta(seconds=61 + 120)  # doubled
    assert outbox.sweep(now=start + dt.timedelta(minutes=10)) == {"sent": 1}
    assert outbox.sweep(now=start + dt.timedelta(hours=5)) == {}
    assert len(smtp.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_a_message_fails_after_the_last_attempt_and_can_be_resent(smtp, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    smtp.failures = 2
    service, _team, slot = bookable_slot()
    booking.book(service=service, slot_id=slot.pk, person=person(1), channel="staff")
    outbox.sweep(now=timezone.now() + dt.timedelta(hours=1))
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.FAILED and message.attempts == 2
    assert outbox.resend(message_id=message.pk) is True
    assert outbox.resend(message_id=message.pk) is False  # no longer failed
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert len(smtp.messages) == 1


@pytest.mark.django_db
def test_a_message_stuck_in_sending_is_taken_again_after_the_timeout(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    service, _team, slot = bookable_slot()
    appointment, _ = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="staff"
    )
    message = OutboxMessage.objects.get(appointment=appointment)
    now = timezone.now()
    # a worker claimed it and was killed before it could record anything
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENDING, claimed_at=now, text_body="x", sent_at=None
    )
    assert outbox.sweep(now=now + dt.timedelta(minutes=5)) == {}
    assert outbox.sweep(now=now + dt.timedelta(minutes=11)) == {"sent": 1}


@pytest.mark.django_db
def test_the_same_message_is_written_once_per_occasion(settings):
    service, _team, slot = bookable_slot()
    appointment, _token = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="online"
    )
    again = send("verification", appointment, verify_url="x", hold_minutes=30)
    assert again is None
    assert OutboxMessage.objects.filter(kind="verification").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "en", "tr", "ar", "ru", "uk"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_message_renders_text_and_html_in_the_residents_language(kind, language):
    service, _team, slot = bookable_slot()
    appointment, _ = booking.book(
        service=service, slot_id=slot.pk, person=person(1, language=language), channel="staff"
    )
    subject, text, html = render_message(
        kind,
        appointment,
        verify_url="https://x/v",
        manage_url="https://x/m",
        rebook_url="https://x/r",
        confirm_url="https://x/c",
        cancel_url="https://x/n",
        hold_minutes=30,
    )
    assert subject and appointment.code in subject
    assert appointment.code in text and appointment.code in html
    assert html.startswith("<!doctype html>") and f'lang="{language}"' in html
    assert ('dir="rtl"' in html) == (language == "ar")


@pytest.mark.django_db
def test_the_reminder_scheduler_writes_one_reminder_per_appointment_and_lead(settings):
    settings.REMINDER_LEADS_HOURS = [48, 24]
    service, team, soon = bookable_slot(days_ahead=1, capacity=3)
    _s, _t, later = bookable_slot(service=service, team=team, days_ahead=5, capacity=3)
    for n in range(3):
        booking.book(service=service, slot_id=soon.pk, person=person(n), channel="staff")
    booking.book(service=service, slot_id=later.pk, person=person(9), channel="staff")
    for _ in range(5):
        reminders.schedule_reminders()
    sent = OutboxMessage.objects.filter(kind="reminder")
    # the appointments tomorrow get the 48 h and the 24 h reminder; the one in 5 days none yet
    assert sent.count() == 6
    assert {m.appointment.slot_id for m in sent} == {soon.pk}


@pytest.mark.django_db
def test_reminder_links_confirm_attendance_or_cancel(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    service, _team, slot = bookable_slot(days_ahead=1, capacity=3)
    first, _ = booking.book(service=service, slot_id=slot.pk, person=person(1), channel="staff")
    second, _ = booking.book(service=service, slot_id=slot.pk, person=person(2), channel="staff")
    from appointments.notifications.messages import reply_url

    def split(url):
        parts = urlsplit(url)
        return parts.path, parse_qs(parts.query)["s"][0]

    path, signed = split(reply_url(first, "confirm"))
    page = client.get(path, {"s": signed}, follow=True)
    assert page.status_code == 200
    first.refresh_from_db()
    assert first.attendance_confirmed_at is None  # opening the link changes nothing
    client.post(path, {"s": signed})
    first.refresh_from_db()
    assert first.attendance_confirmed_at is not None
    path, signed = split(reply_url(second, "cancel"))
    client.post(path, {"s": signed})
    second.refresh_from_db()
    assert second.status == Status.CANCELLED
    # a signature for one appointment does not work for another
    assert client.post(f"/de/termin/{first.code}/antwort/", {"s": signed}).status_code == 404
    assert client.get(f"/de/termin/{first.code}/antwort/", {"s": "forged"}).status_code == 404


@pytest.mark.django_db
def test_booked_appointments_without_check_in_become_no_shows_after_the_grace(settings):
    settings.NO_SHOW_GRACE_MINUTES = 120
    service, _team, slot = bookable_slot(days_ahead=1)
    appointment, _ = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="staff"
    )
    with time_machine.travel(slot.end + dt.timedelta(minutes=119)):
        assert booking.mark_no_shows() == 0
    with time_machine.travel(slot.end + dt.timedelta(minutes=121)):
        assert booking.mark_no_shows() == 1
        assert booking.mark_no_shows() == 0
    appointment.refresh_from_db()
    assert appointment.status == Status.NO_SHOW
    assert OutboxMessage.objects.filter(appointment=appointment, kind="no_show").count() == 1


def test_a_send_interrupted_by_a_worker_shutdown_returns_the_row_to_pending(db, monkeypatch):
    message = OutboxMessage.objects.create(
        kind="reminder", idempotency_key="interrupted", recipient="a@example.test",
        language="de", subject="s", text_body="t",
    )  # fmt: skip

    def stopped(self, *args, **kwargs):
        raise SystemExit(1)  # what a hard stop of the worker raises in the running task

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", stopped)
    with pytest.raises(SystemExit):
        outbox.deliver(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    assert message.next_attempt_at <= timezone.now()


def test_a_sweep_told_to_stop_claims_nothing_more(db, mailoutbox):
    for n in range(3):
        OutboxMessage.objects.create(
            kind="reminder", idempotency_key=f"stop-{n}", recipient="a@example.test",
            language="de", subject="s", text_body="t",
        )  # fmt: skip
    asked = []

    def stop():
        asked.append(1)
        return len(asked) > 1  # the worker is told to stop after the first mail

    assert outbox.sweep(stop=stop) == {"sent": 1}
    assert len(mailoutbox) == 1
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count() == 2
