"""Supervisors answer written data-protection requests (search, export, delete; all audited)
and the accessibility feedback (listed, answered by mail)."""

import json

import pytest

from appointments import booking
from appointments.feedback import submit_feedback
from appointments.models import AccessibilityFeedback, Appointment, Event, OutboxMessage, Status
from caseworkers.roles import CASEWORKER, RECEPTION
from tests.factories import bookable_slot, person

pytestmark = pytest.mark.django_db
SEARCH = "/backoffice/manage/privacy/"


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def resident():
    service, _team, slot = bookable_slot()
    appointment, _token = booking.book(
        service=service, slot_id=slot.pk, person=person(1, language="ru"), channel="staff"
    )
    booking.book(service=service, slot_id=slot.pk, person=person(2), channel="staff")
    return appointment


@pytest.mark.parametrize("role", [None, RECEPTION, CASEWORKER])
def test_only_supervisors_reach_the_request_screen(client, login_as, resident, role):
    login_as(role)
    assert client.get(SEARCH).status_code == 403
    assert client.post(f"{SEARCH}{resident.pk}/export.json").status_code == 403
    assert client.post(f"{SEARCH}{resident.pk}/erase/", {"confirmed": "on"}).status_code == 403
    assert Appointment.objects.get(pk=resident.pk).surname == "Muster1"


def test_search_by_name_and_birth_date_lists_the_person_and_is_audited(supervisor_client, resident):
    response = supervisor_client.post(SEARCH, {"surname": "MUSTER1", "date_of_birth": "1990-01-01"})
    content = response.content.decode()
    assert resident.code in content and "Muster2" not in content
    searched = Event.objects.get(action="privacy_request.searched")
    assert searched.data == {"count": 1} and searched.actor.username == "teamleitung"
    viewed = Event.objects.get(action="personal_data.viewed")
    assert viewed.appointment_id == resident.pk
    assert viewed.data["view"] == "caseworkers:supervision:privacy"


def test_a_bad_search_says_why_and_lists_nothing(supervisor_client, resident):
    response = supervisor_client.post(SEARCH, {"surname": " ", "date_of_birth": "1800-13-40"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Bitte" in content and resident.code not in content
    assert not Event.objects.filter(action__startswith="privacy_request").exists()


def test_export_gives_the_json_in_the_residents_language_and_is_audited(
    supervisor_client, resident
):
    response = supervisor_client.post(f"{SEARCH}{resident.pk}/export.json")
    data = json.loads(response.content)
    fields = {f["key"]: f for f in data["sections"][0]["fields"]}
    assert fields["email"]["value"] == "erika1@example.test"
    assert fields["date_of_birth"]["label"] == "Дата рождения"
    exported = Event.objects.get(action="personal_data.exported")
    assert exported.appointment_id == resident.pk and exported.data["format"] == "json"


def test_delete_needs_the_confirmation_then_erases_and_is_audited(
    supervisor_client, supervisor_user, resident
):
    refused = supervisor_client.post(f"{SEARCH}{resident.pk}/erase/", {})
    assert refused.status_code == 400
    assert Appointment.objects.get(pk=resident.pk).surname == "Muster1"
    response = supervisor_client.post(f"{SEARCH}{resident.pk}/erase/", {"confirmed": "on"})
    assert response.status_code == 302
    erased = Appointment.objects.get(pk=resident.pk)
    assert erased.surname == "" and erased.status == Status.CANCELLED
    event = Event.objects.get(action="appointment.personal_data_erased")
    assert event.actor == supervisor_user and event.data["by"] == "staff"
    assert OutboxMessage.objects.filter(appointment=resident, kind="erasure").exists()
    again = supervisor_client.post(
        f"{SEARCH}{resident.pk}/erase/", {"confirmed": "on"}, follow=True
    )
    assert "bereits gelöscht" in again.content.decode()


def test_feedback_is_listed_for_supervisors_and_answered_by_mail(
    supervisor_client, supervisor_user, client
):
    feedback = submit_feedback(message="Kontrast zu schwach", language="uk", email="u@example.test")
    listing = supervisor_client.get("/backoffice/manage/feedback/").content.decode()
    assert "Kontrast zu schwach" in listing
    response = supervisor_client.post(
        f"/backoffice/manage/feedback/{feedback.pk}/", {"answer": "Behoben, danke."}
    )
    assert response.status_code == 302
    message = OutboxMessage.objects.get(kind="feedback_answer")
    assert message.recipient == "u@example.test" and "Behoben, danke." in message.text_body
    assert message.language == "uk" and "/uk/barrierefreiheit/" in message.text_body
    feedback.refresh_from_db()
    assert feedback.answered_by == supervisor_user
    twice = supervisor_client.post(
        f"/backoffice/manage/feedback/{feedback.pk}/", {"answer": "Nochmal"}, follow=True
    )
    assert OutboxMessage.objects.filter(kind="feedback_answer").count() == 1
    assert twice.status_code == 200


def test_feedback_is_not_shown_to_caseworkers(client, login_as):
    submit_feedback(message="x", language="de")
    login_as(CASEWORKER)
    assert client.get("/backoffice/manage/feedback/").status_code == 403
    assert AccessibilityFeedback.objects.count() == 1
