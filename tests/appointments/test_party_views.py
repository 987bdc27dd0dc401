"""Wizard and manage-link wiring of group bookings and needs stated up front."""

import datetime as dt

import pytest

from appointments import parties
from appointments.models import Appointment, Party, Status
from tests.factories import bookable_slot, person

pytestmark = pytest.mark.django_db

BOOKER = {
    "given_names": "Ayşe",
    "date_of_birth": "1985-04-23",
    "email": "family@example.test",
    "email_repeat": "family@example.test",
    "phone": "",
    "language": "ar",
    "interpreter_needed": "on",
    "interpreter_language": "Arabisch",
    "needs_wheelchair": "on",
    "needs_note": "Mein Sohn ist gehörlos.",
    "consent": "on",
}


@pytest.fixture(autouse=True)
def _no_challenge(settings):
    settings.BOOKING_CHALLENGE = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def start(client, service, slot, persons):
    response = client.post(
        f"/de/buchen/{service.slug}/",
        {"surname": "Yılmaz", "nationality": "SY", "persons": persons},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    client.post(f"/de/buchen/{service.slug}/zeit/", {"slot": slot.pk})


def others(*people):
    data = {"person-TOTAL_FORMS": len(people), "person-INITIAL_FORMS": len(people)}
    for i, (given, surname, born) in enumerate(people):
        data |= {f"person-{i}-given_names": given, f"person-{i}-surname": surname,
                 f"person-{i}-date_of_birth": born}  # fmt: skip
    return data


def test_the_wizard_asks_how_many_persons_and_books_them_with_their_needs(client):
    service, _team, slot = bookable_slot(capacity=3)
    assert 'name="persons"' in client.get(f"/de/buchen/{service.slug}/").content.decode()
    start(client, service, slot, 2)
    page = client.get(f"/de/buchen/{service.slug}/daten/").content.decode()
    assert "Person 2" in page and 'value="Yılmaz"' in page
    response = client.post(
        f"/de/buchen/{service.slug}/daten/", BOOKER | others(("Elif", "Yılmaz", "2014-02-01"))
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    lead = Appointment.objects.get(given_names="Ayşe")
    child = Appointment.objects.get(given_names="Elif")
    assert lead.party_id == child.party_id == Party.objects.get().pk
    assert {lead.status, child.status} == {Status.HELD}
    assert child.needs_wheelchair and child.interpreter_language == "Arabisch"
    assert lead.needs_note == "Mein Sohn ist gehörlos." and lead.language == "ar"


def test_bad_persons_and_notes_are_clear_messages_and_book_nothing(client):
    service, _team, slot = bookable_slot(capacity=3)
    start(client, service, slot, 2)
    bad = BOOKER | {"needs_note": "<b>hi</b> \u202eevil"} | others(("", "Yılmaz", "2099-01-01"))
    response = client.post(f"/de/buchen/{service.slug}/daten/", bad)
    page = response.content.decode()
    assert response.status_code == 200 and "party-error-summary" in page
    assert "Person 2" in page
    assert not Appointment.objects.exists()


def test_the_interpreter_language_is_dropped_unless_help_is_ticked(client):
    service, _team, slot = bookable_slot(capacity=3)
    start(client, service, slot, 1)
    data = BOOKER | {"interpreter_needed": ""}
    client.post(f"/de/buchen/{service.slug}/daten/", data)
    assert Appointment.objects.get().interpreter_language == ""


def test_the_manage_link_lists_the_party_and_cancels_it_as_a_whole(client):
    service, _team, slot = bookable_slot(capacity=3)
    household = [
        person(1, given_names="Ayşe", surname="Yılmaz"),
        person(1, given_names="Elif", surname="Yılmaz", date_of_birth=dt.date(2014, 2, 1)),
        person(1, given_names="Can", surname="Kaya", date_of_birth=dt.date(2016, 5, 5)),
    ]
    lead, token = parties.book_party(
        service=service, slot_id=slot.pk, persons=household, channel="staff"
    )
    page = client.get(f"/de/termin/{lead.code}/", {"t": token}, follow=True).content.decode()
    assert "Elif Yılmaz" in page and "Can Kaya" in page
    client.post(f"/de/termin/{lead.code}/absagen/")
    assert set(Appointment.objects.values_list("status", flat=True)) == {Status.CANCELLED}
