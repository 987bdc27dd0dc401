"""A booking's mails are stored unwritten and written by the worker that sends them (issue 18:
"render mails in the worker"), and one delivery task serves a burst of new messages
(coalesced delivery). Nothing is lost or sent blank on the way: a failed or interrupted
delivery leaves the row unwritten, which a worker of an earlier release never claims."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.utils import timezone

from appointments import background, booking
from appointments.models import Appointment, OutboxMessage, OutboxStatus
from appointments.notifications import outbox
from tests.appointments.test_outbox import parts, smtp  # noqa: F401 (the SMTP sink fixture)
from tests.factories import bookable_slot, person


def text_of(message):
    return parts(message)["text/plain"].get_payload(decode=True).decode()


def book(n=1, channel="online", **overrides):
    service, _team, slot = bookable_slot()
    return booking.book(
        service=service, slot_id=slot.pk, person=person(n, **overrides), channel=channel
    )


@pytest.mark.django_db
def test_an_online_booking_stores_its_verification_unwritten_with_the_link_only():
    appointment, token = book(language="en")
    message = OutboxMessage.objects.get(appointment=appointment)
    assert message.kind == "verification" and message.status == OutboxStatus.UNWRITTEN
    assert (message.subject, message.text_body, message.html_body) == ("", "", "")
    assert message.recipient == "erika1@example.test" and message.language == "en"
    link = urlsplit(message.render_context["verify_url"])
    assert link.path == f"/en/termin/{appointment.code}/bestaetigen/" and link.query == f"t={token}"
    assert message.render_context["hold_minutes"] > 0


@pytest.mark.django_db
def test_the_worker_writes_the_verification_in_the_residents_language_and_drops_it_once_sent(
    smtp,  # noqa: F811
):
    appointment, token = book(language="en", given_names="Ngozi Adaeze")
    message = OutboxMessage.objects.get(appointment=appointment)
    assert outbox.deliver_batch(ids=[message.pk]) == {"sent": 1}
    (sent,) = smtp.messages
    assert (
        "Please confirm your appointment" in sent["Subject"] and appointment.code in sent["Subject"]
    )
    body = text_of(sent)
    assert f"/en/termin/{appointment.code}/bestaetigen/?t={token}" in body
    assert "Ngozi Adaeze" in body
    assert "text/html" in parts(sent)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.render_context is None
    assert (message.text_body, message.html_body) == ("", "")  # the secret link is not kept


@pytest.mark.django_db
def test_a_staff_booking_s_confirmation_is_written_by_the_worker_with_calendar_entry_and_qr(smtp):  # noqa: F811
    appointment, token = book(channel="staff")
    message = OutboxMessage.objects.get(appointment=appointment)
    assert message.kind == "confirmation" and message.status == OutboxStatus.UNWRITTEN
    assert message.attachments == []  # the files are made when the mail is written
    assert outbox.deliver(message_id=message.pk) == OutboxStatus.SENT  # the one-message task too
    (sent,) = smtp.messages
    assert f"t={token}" in text_of(sent)
    files = {part.get_filename() for part in sent.iter_attachments()}
    assert files == {f"termin-{appointment.code}.ics", f"qr-{appointment.code}.png"}


@pytest.mark.django_db
def test_a_refused_delivery_leaves_the_message_unwritten_never_pending(smtp):  # noqa: F811
    smtp.failures = 1
    appointment, token = book()
    message = OutboxMessage.objects.get(appointment=appointment)
    assert outbox.deliver_batch(ids=[message.pk]) == {OutboxStatus.UNWRITTEN: 1}
    message.refresh_from_db()
    # an earlier release's worker claims "pending" only: it can never send this row blank
    assert message.status == OutboxStatus.UNWRITTEN and message.text_body == ""
    assert message.render_context["verify_url"].endswith(f"t={token}")
    later = timezone.now() + dt.timedelta(hours=1)
    assert outbox.deliver_batch(now=later) == {"sent": 1}
    assert f"t={token}" in text_of(smtp.messages[0])


@pytest.mark.django_db
def test_a_claim_given_back_by_a_stopping_worker_stays_unwritten(smtp):  # noqa: F811
    appointment, _token = book()
    message = OutboxMessage.objects.get(appointment=appointment)
    assert outbox.deliver_batch(ids=[message.pk], stop=lambda: False) == {"sent": 1}
    second, _ = book(2)
    row = OutboxMessage.objects.get(appointment=second)
    assert outbox.claim_batch(ids=[row.pk]) == [row.pk]
    outbox.return_claim(message_id=row.pk, attempts=0)
    row.refresh_from_db()
    assert row.status == OutboxStatus.UNWRITTEN


@pytest.mark.django_db
def test_a_failed_unwritten_message_sent_again_by_staff_is_still_written_by_the_worker(
    smtp,  # noqa: F811
    settings,
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    smtp.failures = 1
    appointment, token = book()
    message = OutboxMessage.objects.get(appointment=appointment)
    assert outbox.deliver_batch(ids=[message.pk]) == {OutboxStatus.FAILED: 1}
    assert outbox.resend(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxStatus.UNWRITTEN
    assert outbox.deliver_batch(ids=[message.pk]) == {"sent": 1}
    assert f"t={token}" in text_of(smtp.messages[0])


@pytest.mark.django_db
def test_a_message_whose_appointment_is_gone_fails_with_a_reason_and_stops_nothing_else(
    smtp,  # noqa: F811
    settings,
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    gone, _ = book(1)
    kept, _ = book(2)
    ids = list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True))
    Appointment.objects.filter(pk=gone.pk).delete()  # the row keeps its id, appointment NULL
    assert outbox.deliver_batch(ids=ids) == {OutboxStatus.FAILED: 1, "sent": 1}
    failed = OutboxMessage.objects.get(status=OutboxStatus.FAILED)
    assert failed.last_error.startswith("Unwritable: appointment")
    assert [m["To"] for m in smtp.messages] == ["erika2@example.test"]
    assert kept.code in smtp.messages[0]["Subject"]


@pytest.mark.django_db
def test_a_batch_of_unwritten_messages_loads_their_appointments_in_one_query(
    smtp,  # noqa: F811
    django_assert_num_queries,
):
    ids = []
    for n in range(4):
        appointment, _token = book(n)
        ids.append(OutboxMessage.objects.get(appointment=appointment).pk)
    one = len(ids)
    # claim, load the rows, their appointments (slot, team, service, party joined) in one
    # query, one mark per mail (inside the test's transaction, so without the batch's
    # synchronous_commit switch on PostgreSQL)
    with django_assert_num_queries(3 + one):
        assert outbox.deliver_batch(ids=ids) == {"sent": one}
    assert len(smtp.messages) == one


# --- Coalesced delivery ---------------------------------------------------------------------


@pytest.fixture
def published(monkeypatch, settings):
    """Coalesced delivery on, with what the web process publishes recorded."""
    settings.OUTBOX_COALESCED_DELIVERY = True
    cache.delete(outbox.ASKED_KEY)
    handed = []
    monkeypatch.setattr(background, "enqueue", lambda name, *args: handed.append(name) or True)
    yield handed
    cache.delete(outbox.ASKED_KEY)


@pytest.mark.django_db
def test_a_burst_of_bookings_asks_for_one_delivery_and_it_sends_them_all(
    published,
    smtp,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            book(n)
    assert published == [outbox.DELIVER_DUE_TASK]
    assert outbox.deliver_due() == {"sent": 5}
    assert sorted(m["To"] for m in smtp.messages) == [f"erika{n}@example.test" for n in range(5)]
    # the task took the flag down before it claimed: the next booking asks again
    with django_capture_on_commit_callbacks(execute=True):
        book(9)
    assert published == [outbox.DELIVER_DUE_TASK] * 2


@pytest.mark.django_db
def test_a_delivery_that_could_not_be_published_is_asked_for_by_the_next_message(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_COALESCED_DELIVERY = True
    cache.delete(outbox.ASKED_KEY)
    tries = []
    monkeypatch.setattr(background, "enqueue", lambda name, *args: tries.append(name) and False)
    for n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            book(n)
    assert tries == [outbox.DELIVER_DUE_TASK] * 2  # the broker refused: the flag did not stay
    assert OutboxMessage.objects.filter(status=OutboxStatus.UNWRITTEN).count() == 2  # the sweeper's


@pytest.mark.django_db
def test_a_batch_written_together_keeps_a_task_per_batch(
    published, monkeypatch, django_capture_on_commit_callbacks
):
    batches = []
    monkeypatch.setattr(
        background, "enqueue", lambda name, *args: batches.append((name, *args)) or True
    )
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue_after_commit(11, 12, 13, together=True)
        outbox.enqueue_after_commit(14, together=True)  # a chunk of one is a batch all the same
    assert batches == [(outbox.DELIVER_TASK, [11, 12, 13]), (outbox.DELIVER_TASK, [14])]


@pytest.mark.django_db
def test_deliver_due_sends_batch_after_batch_until_nothing_is_due(smtp, monkeypatch):  # noqa: F811
    monkeypatch.setattr(outbox, "BATCH_SIZE", 2)
    for n in range(5):
        book(n)
    assert outbox.deliver_due() == {"sent": 5}
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()
