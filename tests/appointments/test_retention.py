"""Retention: per category what is due is pseudonymised or deleted, in batches, idempotently;
a dry run changes nothing; one audit event per run; the command, the task, the schedule."""

import datetime as dt
import io

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from appointments import booking, queue, retention, tasks
from appointments.audit import log_event
from appointments.errors import StillActive
from appointments.invitations import lifecycle as invitation_lifecycle
from appointments.models import (
    Appointment,
    CancellationReason,
    Channel,
    EmailLock,
    Event,
    Invitation,
    InvitationBatch,
    InvitationState,
    OutboxMessage,
    Outcome,
    Status,
)
from appointments.notifications import outbox
from tests.factories import appointment as booked
from tests.factories import bookable_slot, desk_of, imported_batch

pytestmark = pytest.mark.django_db

DAYS = dt.timedelta(days=1)


def _served(slot, service, n=0, note="Pass liegt vor"):
    """An appointment booked now and served at its slot (completed)."""
    made = booked(service=service, slot=slot, n=n)
    queue.check_in(appointment_id=made.pk, now=slot.start)
    queue.call(
        appointment_id=made.pk, counter=desk_of(made.pk), now=slot.start + dt.timedelta(minutes=5)
    )
    queue.start_service(appointment_id=made.pk, now=slot.start + dt.timedelta(minutes=6))
    queue.finish(
        appointment_id=made.pk,
        outcome=Outcome.OTHER,
        note=note,
        now=slot.start + dt.timedelta(minutes=15),
    )
    return Appointment.objects.get(pk=made.pk)


def _after(moment, days):
    return moment + days * DAYS + dt.timedelta(minutes=1)


KEPT_FIELDS = (
    "code",
    "service_id",
    "slot_id",
    "case_id",
    "channel",
    "status",
    "language",
    "queue_team_id",
    "waiting_number",
    "outcome",
    "booked_at",
    "checked_in_at",
    "called_at",
    "in_service_at",
    "completed_at",
    "created_at",
)


def test_a_completed_visit_loses_its_personal_data_after_the_period_and_keeps_its_figures():
    service, _team, slot = bookable_slot()
    visit = _served(slot, service)
    before = {name: getattr(visit, name) for name in KEPT_FIELDS}
    # Counted from the end of the visit, and not before its slot is over.
    now = _after(max(visit.completed_at, slot.end), settings.RETENTION_APPOINTMENT_DAYS)

    assert retention.apply_retention(now=now - 2 * dt.timedelta(minutes=1))["appointments"] == 0
    counts = retention.apply_retention(now=now)

    assert counts["appointments"] == 1
    visit.refresh_from_db()
    assert {name: getattr(visit, name) for name in KEPT_FIELDS} == before
    assert visit.pseudonymised_at == now
    assert (visit.surname, visit.given_names, visit.email, visit.phone) == ("", "", "", "")
    assert visit.date_of_birth == retention.NO_BIRTH_DATE
    assert (visit.surname_key, visit.email_key, visit.token_hash, visit.internal_note) == (
        "",
        "",
        "",
        "",
    )
    assert str(visit.nationality) == ""


def test_cancelled_and_no_show_appointments_count_from_their_moment_and_slot():
    service, _team, slot = bookable_slot(capacity=3)
    cancelled = booked(service=service, slot=slot, n=1)
    booking.cancel(appointment_id=cancelled.pk, reason=CancellationReason.RESIDENT)
    missed = booked(service=service, slot=slot, n=2)
    queue.mark_no_show(appointment_id=missed.pk, confirm=True, now=slot.end + dt.timedelta(hours=3))
    # The slot lies after the cancellation: the period counts from the later of both.
    early = _after(timezone.now(), settings.RETENTION_APPOINTMENT_DAYS)
    assert early < _after(slot.end, settings.RETENTION_APPOINTMENT_DAYS)
    late = _after(slot.end + dt.timedelta(hours=3), settings.RETENTION_APPOINTMENT_DAYS)

    assert retention.apply_retention(now=early)["appointments"] == 0
    assert retention.apply_retention(now=late)["appointments"] == 2
    assert not Appointment.objects.filter(pseudonymised_at=None, surname__startswith="Muster")


def test_appointments_ahead_or_under_way_are_never_touched():
    service, _team, slot = bookable_slot(capacity=2)
    ahead = booked(service=service, slot=slot, n=1)
    waiting = booked(service=service, slot=slot, n=2)
    queue.check_in(appointment_id=waiting.pk, now=slot.start)

    counts = retention.apply_retention(now=slot.end + 400 * DAYS)

    assert counts["appointments"] == counts["expired_holds"] == 0
    assert Appointment.objects.filter(pk__in=[ahead.pk, waiting.pk], pseudonymised_at=None).count()
    assert EmailLock.objects.filter(email_key="erika1@example.test").exists()


def test_an_expired_hold_is_pseudonymised_a_day_after_its_expiry():
    service, _team, slot = bookable_slot()
    hold = booked(service=service, slot=slot, channel=Channel.ONLINE, status=Status.HELD)
    expired_at = hold.hold_expires_at + dt.timedelta(minutes=1)
    assert booking.expire_holds(now=expired_at) == 1

    assert retention.due_counts(now=expired_at)["expired_holds"] == 0
    counts = retention.apply_retention(now=_after(expired_at, settings.RETENTION_EXPIRED_HOLD_DAYS))

    assert counts["expired_holds"] == 1
    hold.refresh_from_db()
    assert hold.surname == "" and hold.status == Status.EXPIRED


def test_sent_messages_lose_recipient_and_body_after_their_period_pending_ones_never(
    mailoutbox,
):
    service, _team, slot = bookable_slot()
    visit = booked(service=service, slot=slot)
    sent = OutboxMessage.objects.get(appointment=visit)
    assert outbox.deliver_batch(ids=[sent.pk]) == {"sent": 1}  # the worker writes it, sends it
    OutboxMessage.objects.filter(pk=sent.pk).update(
        text_body="Link https://x/manage/T0KEN",
        last_error="550 erika0@example.test",
    )
    sent.refresh_from_db()
    pending = OutboxMessage.objects.create(
        kind="test", idempotency_key="pending", recipient="erika0@example.test", language="de"
    )
    now = _after(sent.sent_at, settings.RETENTION_MESSAGE_DAYS)

    counts = retention.apply_retention(now=now)

    assert counts["messages"] == 1
    sent.refresh_from_db()
    assert (sent.recipient, sent.text_body, sent.html_body, sent.last_error) == ("", "", "", "")
    assert sent.attachments == [] and sent.subject.endswith(visit.code)
    pending.refresh_from_db()
    assert pending.recipient == "erika0@example.test"


def test_mail_limit_locks_go_once_no_appointment_of_their_mailbox_is_ahead(mailoutbox):
    service, _team, slot = bookable_slot()
    visit = booked(service=service, slot=slot)
    assert retention.apply_retention()["email_locks"] == 0
    booking.cancel(appointment_id=visit.pk, reason=CancellationReason.RESIDENT)

    assert retention.apply_retention()["email_locks"] == 1
    assert not EmailLock.objects.exists()
    # The same mailbox books again: its lock is made anew.
    again = booked(service=service, slot=slot, n=0)
    assert again.status == Status.BOOKED and EmailLock.objects.count() == 1


def test_invitation_rows_are_pseudonymised_after_the_campaign_with_the_batch_file(office):
    batch = imported_batch(2)
    InvitationBatch.objects.filter(pk=batch.pk).update(
        skipped=[{"row": 4, "file_number": "AZ-00004", "errors": ["Unknown nationality “XX”."]}]
    )
    first, second = Invitation.objects.filter(batch=batch).order_by("pk")
    open_batch = imported_batch(1, Aktenzeichen="AZ-77777")
    for row in (first, second):
        invitation_lifecycle.move(
            invitation_id=row.pk, to_state=InvitationState.NO_PLACE, now=timezone.now() - 150 * DAYS
        )

    counts = retention.apply_retention()

    assert counts["invitations"] == 2 and counts["invitation_files"] == 1
    for row in (first, second):
        row.refresh_from_db()
        assert row.pseudonymised_at and row.file_number == f"~{row.pk}"
        assert (row.surname, row.email, row.postal_address) == ("", "", "")
        assert row.state == InvitationState.NO_PLACE
    batch.refresh_from_db()
    assert batch.skipped == [{"row": 4}]
    # Still imported: the campaign goes on.
    assert Invitation.objects.get(batch=open_batch).surname
    assert retention.apply_retention()["invitations"] == 0


def test_expired_sessions_are_cleared():
    alive = SessionStore()
    alive["manage"] = "token"
    alive.create()
    old = SessionStore()
    old["manage"] = "token"
    old.create()
    Session.objects.filter(pk=old.session_key).update(expire_date=timezone.now() - DAYS)

    assert retention.apply_retention()["sessions"] == 1
    assert list(Session.objects.values_list("pk", flat=True)) == [alive.session_key]


def test_login_attempts_are_deleted_after_their_period():
    old = timezone.now() - (settings.RETENTION_LOGIN_ATTEMPT_DAYS + 1) * DAYS
    for name, when in (("old", old), ("new", timezone.now())):
        attempt = AccessAttempt.objects.create(
            username=name, ip_address="10.0.0.1", failures_since_start=1
        )
        failure = AccessFailureLog.objects.create(username=name, ip_address="10.0.0.1")
        # attempt_time is set on creation (auto_now_add): moved back afterwards.
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=when)
        AccessFailureLog.objects.filter(pk=failure.pk).update(attempt_time=when)

    counts = retention.apply_retention()

    assert counts["login_attempts"] == 1 and counts["login_failures"] == 1
    assert AccessAttempt.objects.count() == AccessFailureLog.objects.count() == 1


def test_staff_access_audit_goes_after_its_longer_period_other_events_stay():
    old = timezone.now() - (settings.RETENTION_STAFF_AUDIT_DAYS + 1) * DAYS
    log_event(action="personal_data.viewed", at=old, view="reception")
    log_event(action="personal_data.exported", at=timezone.now() - 400 * DAYS, count=3)
    log_event(action="opening_rule.changed", at=old)

    assert retention.apply_retention()["staff_audit"] == 1
    assert set(Event.objects.values_list("action", flat=True)) == {
        "personal_data.exported",
        "opening_rule.changed",
        retention.ACTION,
    }


def _many_ended(count):
    service, _team, slot = bookable_slot(capacity=count)
    for n in range(count):
        made = booked(service=service, slot=slot, n=n)
        booking.cancel(appointment_id=made.pk, reason=CancellationReason.RESIDENT)
    return slot.end + 200 * DAYS


def test_a_dry_run_counts_the_same_and_changes_nothing():
    later = _many_ended(3)
    before = list(Appointment.objects.values().order_by("pk"))

    dry = retention.apply_retention(now=later, dry_run=True)

    assert dry["appointments"] == 3 and dry["email_locks"] == 3
    assert list(Appointment.objects.values().order_by("pk")) == before
    assert not Event.objects.filter(action=retention.ACTION).exists()
    assert retention.apply_retention(now=later) == dry


def test_batches_are_handled_one_after_another_and_a_second_run_removes_nothing():
    later = _many_ended(5)
    batches = []

    counts = retention.apply_retention(
        now=later, batch_size=2, progress=lambda name, rows: batches.append((name, rows))
    )

    assert counts["appointments"] == 5
    assert [rows for name, rows in batches if name == "appointments"] == [2, 2, 1]
    again = retention.apply_retention(now=later)
    assert set(again.values()) == {0}


def test_every_run_writes_one_event_with_its_counts_and_no_personal_data():
    later = _many_ended(2)
    retention.apply_retention(now=later)
    retention.apply_retention(now=later)

    events = list(Event.objects.filter(action=retention.ACTION).order_by("pk"))
    assert len(events) == 2
    assert events[0].data["appointments"] == 2 and events[1].data["appointments"] == 0
    assert set(events[0].data) == {category.name for category in retention.CATEGORIES}
    assert "Muster" not in str(events[0].data) and "@" not in str(events[0].data)


def test_pseudonymising_one_appointment_on_request_refuses_one_ahead():
    service, _team, slot = bookable_slot(capacity=2)
    ahead = booked(service=service, slot=slot, n=1)
    with pytest.raises(StillActive):
        retention.pseudonymise_appointment(appointment_id=ahead.pk)
    booking.cancel(appointment_id=ahead.pk, reason=CancellationReason.RESIDENT)

    assert retention.pseudonymise_appointment(appointment_id=ahead.pk, reason="art17") is True
    assert retention.pseudonymise_appointment(appointment_id=ahead.pk) is False
    ahead.refresh_from_db()
    assert ahead.surname == "" and ahead.is_pseudonymised
    event = Event.objects.get(action="appointment.pseudonymised")
    assert event.appointment_id == ahead.pk and event.data == {"reason": "art17"}


def test_event_payloads_with_personal_keys_are_cleaned_with_their_appointment():
    service, _team, slot = bookable_slot()
    visit = booked(service=service, slot=slot)
    log_event(action="test.noted", appointment=visit, email="erika0@example.test", slot=1)
    booking.cancel(appointment_id=visit.pk, reason=CancellationReason.RESIDENT)

    retention.pseudonymise_appointment(appointment_id=visit.pk)

    assert Event.objects.get(action="test.noted").data == {"slot": 1}


def test_the_command_prints_each_category_and_the_dry_run_says_nothing_changed(clock):
    clock.move_to(_many_ended(2))
    out, err = io.StringIO(), io.StringIO()

    call_command("apply_retention", "--dry-run", stdout=out, stderr=err)
    assert "appointments" in out.getvalue() and "2 due" in out.getvalue()
    assert "nothing was changed" in out.getvalue()
    assert Appointment.objects.filter(pseudonymised_at=None).count() == 2
    out = io.StringIO()
    call_command("apply_retention", stdout=out, stderr=err)

    assert "2 removed" in out.getvalue() and "Retention applied" in out.getvalue()
    assert err.getvalue() == ""  # no progress bar when stderr is not a terminal
    assert not Appointment.objects.filter(pseudonymised_at=None).exists()


def test_the_nightly_task_applies_retention_and_is_scheduled(clock):
    clock.move_to(_many_ended(1))
    assert tasks.apply_retention()["appointments"] == 1
    assert tasks.apply_retention()["appointments"] == 0
    entry = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert entry["task"] == "appointments.tasks.apply_retention"
