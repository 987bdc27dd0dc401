"""Supervisors see undelivered messages and can send failed ones again."""

import pytest

from appointments import booking
from appointments.models import OutboxMessage, OutboxStatus
from tests.factories import bookable_slot, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_message(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    service, _team, slot = bookable_slot()
    appointment, _ = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="staff"
    )
    message = OutboxMessage.objects.get(appointment=appointment)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.FAILED, last_error="SMTPServerDisconnected: down", text_body="x"
    )
    return message


def test_supervisors_see_failed_messages_and_resend_them(
    client, login_as, failed_message, django_capture_on_commit_callbacks
):
    login_as("supervisor")
    page = client.get("/backoffice/messages/")
    assert failed_message.appointment.code in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/backoffice/messages/{failed_message.pk}/resend/")
    failed_message.refresh_from_db()
    assert failed_message.status == OutboxStatus.SENT


def test_caseworkers_may_not_see_the_message_list(client, login_as, failed_message):
    login_as("caseworker")
    assert client.get("/backoffice/messages/").status_code == 403
    assert client.post(f"/backoffice/messages/{failed_message.pk}/resend/").status_code == 403
    failed_message.refresh_from_db()
    assert failed_message.status == OutboxStatus.FAILED


def test_the_admin_action_resends_failed_messages(
    admin_client, failed_message, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/appointments/outboxmessage/",
            {"action": "resend_failed", "_selected_action": [failed_message.pk]},
        )
    failed_message.refresh_from_db()
    assert failed_message.status == OutboxStatus.SENT
