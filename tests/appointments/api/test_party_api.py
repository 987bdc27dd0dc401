"""The public API's group booking: an optional list of further persons, needs; old clients
unchanged; cancel and move act on the whole party; the schema documents it."""

import pytest

from appointments.models import Appointment, Party, Status
from tests.appointments.api.helpers import booking_payload, token_from_mail
from tests.factories import bookable_slot

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings/"
CHILDREN = [
    {"surname": "Muster", "given_names": "Elif", "date_of_birth": "2014-02-01"},
    {"surname": "Kaya", "given_names": "Can", "date_of_birth": "2016-05-05"},
]


def test_a_booking_with_further_persons_and_needs_books_them_all(api):
    service, _team, slot = bookable_slot(capacity=3)
    payload = booking_payload(service, slot, persons=CHILDREN, needs_wheelchair=True,
                              needs_note="Bitte Erdgeschoss")  # fmt: skip
    response = api.post(BOOKINGS, payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["persons"] == 3
    party = Party.objects.get()
    assert party.lead.code == body["code"]
    assert sorted(Appointment.objects.values_list("given_names", flat=True)) == [
        "Can", "Elif", "Erika"
    ]  # fmt: skip
    assert all(a.needs_wheelchair for a in Appointment.objects.all())
    token = token_from_mail(body["code"])
    headers = {"HTTP_X_BOOKING_TOKEN": token}
    cancelled = api.post(f"{BOOKINGS}{body['code']}/cancel/", format="json", **headers)
    assert cancelled.status_code == 200, cancelled.json()
    assert set(Appointment.objects.values_list("status", flat=True)) == {Status.CANCELLED}


def test_old_clients_book_one_person_as_before(api):
    service, _team, slot = bookable_slot(capacity=3)
    response = api.post(BOOKINGS, booking_payload(service, slot), format="json")
    assert response.status_code == 201 and response.json()["persons"] == 1
    assert not Party.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"persons": [{"surname": "123", "given_names": "X", "date_of_birth": "2010-01-01"}]},
         "persons"),
        ({"persons": CHILDREN * 3}, "persons"),
        ({"needs_note": "a\u202eb"}, "needs_note"),
        ({"needs_note": "x" * 301}, "needs_note"),
    ],
)  # fmt: skip
def test_bad_persons_and_notes_are_400s_naming_the_field(api, change, field):
    service, _team, slot = bookable_slot(capacity=9)
    response = api.post(BOOKINGS, booking_payload(service, slot, **change), format="json")
    assert response.status_code == 400
    assert field in str(response.json())
    assert not Appointment.objects.exists()


def test_a_party_that_does_not_fit_is_a_409_and_books_nothing(api):
    service, _team, slot = bookable_slot(capacity=2)
    response = api.post(BOOKINGS, booking_payload(service, slot, persons=CHILDREN), format="json")
    assert response.status_code == 409
    assert not Appointment.objects.exists()
    slot.refresh_from_db()
    assert slot.booked == 0


def test_the_schema_documents_the_further_persons_and_needs(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "FurtherPersonInput" in schema and "needs_note" in schema and "persons" in schema
