"""The resident's rights from their own link: everything stored (page, JSON, print), and
"delete my data now" (cancel a future appointment, blank the personal data, one last mail)."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from appointments import booking, privacy, retention
from appointments.errors import ErasureNotPossible
from appointments.invitations import allocation, csv_import, sending
from appointments.invitations.links import invitation_token
from appointments.models import (
    Appointment,
    Event,
    Invitation,
    OutboxMessage,
    OutboxStatus,
    Status,
)
from tests.factories import bookable_slot, csv_bytes, open_office, person, row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def booked():
    """Two residents booked in the same slot; the first one's confirmation was sent."""
    service, _team, slot = bookable_slot(capacity=3)
    appointment, token = booking.book(
        service=service, slot_id=slot.pk, person=person(1, language="en"), channel="online"
    )
    booking.verify(code=appointment.code, token=token)
    other, other_token = booking.book(
        service=service,
        slot_id=slot.pk,
        person=person(2, surname="Andere", email="andere@example.test"),
        channel="online",
    )
    booking.verify(code=other.code, token=other_token)
    OutboxMessage.objects.filter(appointment=appointment, kind="confirmation").update(
        status=OutboxStatus.SENT
    )
    return Appointment.objects.get(pk=appointment.pk), token, other


def _open(client, appointment, token, language="en"):
    client.get(f"/{language}/termin/{appointment.code}/", {"t": token})


def _values(data):
    return json.dumps(data, ensure_ascii=False)


# --- Domain ---------------------------------------------------------------------------------


def test_stored_data_holds_this_booking_and_none_of_another_residents(booked):
    appointment, _token, other = booked
    text = _values(privacy.stored_data(appointment=appointment))
    assert appointment.email in text and "Muster1" in text and "1990-01-01" in text
    assert "appointment.booked" not in text  # history in words, not dotted actions
    assert other.email not in text and "Andere" not in text and other.code not in text


def test_erasure_cancels_a_future_appointment_blanks_the_data_and_mails_once(booked):
    appointment, _token, other = booked
    result = privacy.erase_booking_data(appointment=appointment)
    assert result.cancelled and not result.already_erased
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert (appointment.surname, appointment.given_names, appointment.email) == ("", "", "")
    assert appointment.date_of_birth == retention.NO_BIRTH_DATE
    assert appointment.token_hash == "" and appointment.surname_key == ""
    assert appointment.code and appointment.service_id and appointment.slot_id  # statistics
    assert not OutboxMessage.objects.filter(appointment=appointment, kind="cancellation")
    mail = OutboxMessage.objects.get(appointment=appointment, kind="erasure")
    assert mail.recipient == "erika1@example.test"
    assert "deleted" in mail.subject and "date of birth" in mail.text_body
    sent = OutboxMessage.objects.get(appointment=appointment, kind="confirmation")
    assert sent.recipient == "" and sent.subject  # address forgotten, subject and time kept
    event = Event.objects.get(appointment=appointment, action="appointment.personal_data_erased")
    assert "erika1" not in json.dumps(event.data) and "Muster1" not in json.dumps(event.data)
    other.refresh_from_db()
    assert other.surname == "Andere" and other.status == Status.BOOKED


def test_a_second_erasure_changes_nothing_and_sends_nothing(booked):
    appointment, _token, _other = booked
    privacy.erase_booking_data(appointment=appointment)
    messages, events = OutboxMessage.objects.count(), Event.objects.count()
    again = privacy.erase_booking_data(appointment=appointment)
    assert again.already_erased
    assert (OutboxMessage.objects.count(), Event.objects.count()) == (messages, events)


def test_erasure_during_the_visit_is_refused_and_changes_nothing(booked):
    appointment, _token, _other = booked
    Appointment.objects.filter(pk=appointment.pk).update(status=Status.CHECKED_IN)
    with pytest.raises(ErasureNotPossible):
        privacy.erase_booking_data(appointment=appointment)
    appointment.refresh_from_db()
    assert appointment.surname == "Muster1" and appointment.token_hash


def test_a_booked_appointment_that_is_due_is_refused_until_its_outcome_is_known(booked, clock):
    appointment, _token, _other = booked
    clock.move_to(appointment.slot.start + dt.timedelta(minutes=5))
    with pytest.raises(ErasureNotPossible):
        privacy.erase_booking_data(appointment=appointment)
    assert Appointment.objects.get(pk=appointment.pk).surname == "Muster1"


@pytest.mark.clock("2026-11-20 12:00", tick=False)
def test_a_past_appointment_is_erased_without_a_cancellation(booked):
    appointment, _token, _other = booked
    Appointment.objects.filter(pk=appointment.pk).update(status=Status.COMPLETED)
    result = privacy.erase_booking_data(appointment=appointment)
    appointment.refresh_from_db()
    assert not result.cancelled and appointment.status == Status.COMPLETED
    assert appointment.surname == ""


def test_people_are_found_by_any_spelling_of_the_surname_and_birth_date(booked):
    appointment, _token, _other = booked
    found = privacy.appointments_of_person(surname="muster1", date_of_birth=dt.date(1990, 1, 1))
    assert [a.pk for a in found] == [appointment.pk]


# --- Views ----------------------------------------------------------------------------------


def test_my_data_page_and_json_show_this_booking_in_the_residents_language(client, booked):
    appointment, token, other = booked
    _open(client, appointment, token, "de")
    page = client.get(f"/de/termin/{appointment.code}/meine-daten/").content.decode()
    assert "Meine Daten" in page and "erika1@example.test" in page and "Geburtsdatum" in page
    response = client.get(f"/de/termin/{appointment.code}/meine-daten.json")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    fields = {f["key"]: f for f in data["sections"][0]["fields"]}
    assert fields["email"]["value"] == "erika1@example.test"
    assert fields["date_of_birth"]["label"] == "Geburtsdatum"
    assert other.email not in response.content.decode()
    printable = client.get(f"/de/termin/{appointment.code}/meine-daten/drucken/")
    assert printable.status_code == 200 and "Muster1" in printable.content.decode()


def test_my_data_needs_the_link(client, booked):
    appointment, _token, _other = booked
    for path in ("meine-daten/", "meine-daten.json", "meine-daten/drucken/", "daten-loeschen/"):
        response = client.get(f"/en/termin/{appointment.code}/{path}")
        assert response.status_code == 404
        assert "Muster1" not in response.content.decode()


def test_delete_from_the_link_confirms_then_erases_and_the_link_stops_working(client, booked):
    appointment, token, _other = booked
    _open(client, appointment, token)
    confirm = client.get(f"/en/termin/{appointment.code}/daten-loeschen/").content.decode()
    assert "will be cancelled first" in confirm
    appointment.refresh_from_db()
    assert appointment.surname == "Muster1"  # a GET changes nothing
    response = client.post(f"/en/termin/{appointment.code}/daten-loeschen/")
    assert response["Location"] == f"/en/termin/{appointment.code}/geloescht/"
    done = client.get(response["Location"]).content.decode()
    assert "Your data has been deleted" in done
    appointment.refresh_from_db()
    assert appointment.surname == "" and appointment.status == Status.CANCELLED
    assert OutboxMessage.objects.filter(appointment=appointment, kind="erasure").exists()
    assert client.get(f"/en/termin/{appointment.code}/").status_code == 404
    again = client.get(f"/en/termin/{appointment.code}/", {"t": token}, follow=True)
    assert again.status_code == 404
    assert client.post(f"/en/termin/{appointment.code}/daten-loeschen/").status_code == 404


def test_delete_during_the_visit_shows_the_reason(client, booked):
    appointment, token, _other = booked
    _open(client, appointment, token)
    Appointment.objects.filter(pk=appointment.pk).update(status=Status.CHECKED_IN)
    response = client.post(f"/en/termin/{appointment.code}/daten-loeschen/", follow=True)
    assert "Your visit is under way" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.surname == "Muster1"


def test_the_erased_page_is_only_for_the_browser_that_deleted(client, booked):
    appointment, _token, _other = booked
    assert client.get(f"/en/termin/{appointment.code}/geloescht/").status_code == 404


def test_manage_page_links_to_the_rights(client, booked):
    appointment, token, _other = booked
    _open(client, appointment, token)
    page = client.get(f"/en/termin/{appointment.code}/").content.decode()
    assert f"/en/termin/{appointment.code}/meine-daten/" in page
    assert f"/en/termin/{appointment.code}/daten-loeschen/" in page


# --- From the invitation link ---------------------------------------------------------------


@pytest.fixture
def invited():
    now = timezone.now()
    open_office(now=now)
    expiry = (timezone.localdate(now) + dt.timedelta(weeks=8)).strftime("%d.%m.%Y")
    report = csv_import.check(csv_bytes([row(1, Ablaufdatum=expiry, Sprache="en")]))
    batch = csv_import.import_checked(report=report, source_name="test.csv")
    allocation.allocate_batch(batch_id=batch.pk)
    sending.send_batch(batch_id=batch.pk)
    return Invitation.objects.select_related("appointment").get(batch=batch)


def test_the_invitation_link_reaches_my_data_and_delete_covers_the_invitation(client, invited):
    code = invited.appointment.code
    client.get(f"/en/einladung/{code}/", {"t": invitation_token(invited)})
    detail = client.get(f"/en/einladung/{code}/").content.decode()
    assert f"/en/termin/{code}/meine-daten/" in detail
    data = client.get(f"/en/termin/{code}/meine-daten.json").json()
    invitation = next(s for s in data["sections"] if s["key"] == "invitation")
    values = {f["key"]: f["value"] for f in invitation["fields"]}
    assert values["file_number"] == "AZ-00001" and "Musterstraße 1" in values["postal_address"]
    client.post(f"/en/termin/{code}/daten-loeschen/")
    invited.refresh_from_db()
    assert "AZ-" not in invited.file_number and "Muster" not in invited.postal_address
    assert (invited.surname, invited.email) == ("", "")
    assert invited.appointment.status == Status.CANCELLED
    erasure = OutboxMessage.objects.get(appointment=invited.appointment, kind="erasure")
    assert "file number and postal address" in erasure.text_body
