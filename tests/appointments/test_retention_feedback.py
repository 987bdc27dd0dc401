"""Retention, second wave: accessibility feedback and expired outage counters are deleted by
apply_retention; "delete my data now" pseudonymises exactly as retention does."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments import booking, privacy, retention
from appointments.feedback import answer_feedback, submit_feedback
from appointments.models import (
    AccessibilityFeedback,
    Appointment,
    CancellationReason,
    Event,
    FallbackCounter,
    OutboxMessage,
    OutboxStatus,
)
from tests.factories import appointment as booked
from tests.factories import bookable_slot

pytestmark = pytest.mark.django_db

DAYS = dt.timedelta(days=1)


def test_feedback_goes_its_period_after_the_answer_or_after_arrival_if_never_answered(
    settings, supervisor_user
):
    settings.RETENTION_FEEDBACK_DAYS = 30
    now = timezone.now()
    old = now - 40 * DAYS
    unanswered = submit_feedback(message="Kontrast zu schwach", language="de", now=old)
    answered_late = submit_feedback(
        message="Knopf fehlt", language="en", email="fb@example.test", now=old
    )
    answer_feedback(
        feedback_id=answered_late.pk, answer="Danke", actor=supervisor_user, now=now - 10 * DAYS
    )
    answered_early = submit_feedback(
        message="Formular", language="en", email="fb2@example.test", now=old
    )
    answer_feedback(
        feedback_id=answered_early.pk, answer="Danke", actor=supervisor_user, now=now - 31 * DAYS
    )
    recent = submit_feedback(message="Neu", language="de", now=now - 2 * DAYS)

    assert retention.apply_retention(dry_run=True, now=now)["feedback"] == 2
    counts = retention.apply_retention(now=now)

    assert counts["feedback"] == 2
    kept = set(AccessibilityFeedback.objects.values_list("pk", flat=True))
    assert kept == {answered_late.pk, recent.pk}
    assert unanswered.pk not in kept and answered_early.pk not in kept
    assert retention.apply_retention(now=now)["feedback"] == 0


def test_expired_outage_counters_are_deleted_live_ones_stay():
    now = timezone.now()
    FallbackCounter.objects.create(key="rl:a", count=3, expires_at=now - dt.timedelta(minutes=1))
    FallbackCounter.objects.create(key="rl:b", count=1, expires_at=now + dt.timedelta(minutes=5))

    counts = retention.apply_retention(now=now)

    assert counts["fallback_counters"] == 1
    assert list(FallbackCounter.objects.values_list("key", flat=True)) == ["rl:b"]


def _blanks(appointment):
    fields = (
        "surname",
        "given_names",
        "date_of_birth",
        "email",
        "phone",
        "nationality",
        "surname_key",
        "email_key",
        "token_hash",
        "internal_note",
    )
    return {name: getattr(appointment, name) for name in fields}


def test_erasure_on_request_leaves_the_same_blanks_as_retention_and_is_no_longer_stored():
    service, _team, slot = bookable_slot(capacity=3)
    by_retention = booked(service=service, slot=slot, n=1)
    on_request = booked(service=service, slot=slot, n=2)
    booking.cancel(appointment_id=by_retention.pk, reason=CancellationReason.RESIDENT)
    retention.pseudonymise_appointment(appointment_id=by_retention.pk)
    OutboxMessage.objects.filter(appointment=on_request).update(
        status=OutboxStatus.SENT, last_error="smtp said erika2@example.test"
    )

    result = privacy.erase_booking_data(appointment=on_request)

    one = Appointment.objects.get(pk=by_retention.pk)
    two = Appointment.objects.get(pk=on_request.pk)
    assert _blanks(one) == _blanks(two)
    assert two.pseudonymised_at is not None and result.cancelled
    assert retention.is_no_longer_stored(two)
    assert retention.no_longer_stored_by_code(two.code)
    sent = OutboxMessage.objects.exclude(kind="erasure").filter(appointment=two)
    assert sent and all(m.recipient == "" and m.last_error == "" for m in sent)
    event = Event.objects.get(appointment=two, action="appointment.personal_data_erased")
    assert event.data["reason"] == "art17" and event.data["cancelled"] is True
    assert not Event.objects.filter(appointment=two, action="appointment.pseudonymised")
    assert privacy.erase_booking_data(appointment=two).already_erased


def test_erasure_on_request_cleans_event_payloads_as_retention_does():
    service, _team, slot = bookable_slot()
    visit = booked(service=service, slot=slot)
    retention_log = Event.objects.create(
        action="test.noted", appointment=visit, at=timezone.now(), data={"email": "x", "slot": 1}
    )

    privacy.erase_booking_data(appointment=visit)

    retention_log.refresh_from_db()
    assert retention_log.data == {"slot": 1}
