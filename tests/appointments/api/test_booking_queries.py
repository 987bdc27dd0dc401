"""The booking POST's cost, pinned: the place is taken first by the guarded UPDATE, so a
refused booking (409) ends after a few queries; a success answers from the objects in hand."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appointments import booking, catalogue_cache
from appointments.models import Appointment, Slot
from tests.appointments.api.helpers import booking_payload
from tests.factories import bookable_slot

pytestmark = pytest.mark.django_db

URL = "/api/v1/bookings/"


def post(api, body):
    with CaptureQueriesContext(connection) as queries:
        response = api.post(URL, body, format="json")
    # Savepoints left out: the test's transaction makes the booking's own a nested one.
    return response, [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]


def test_a_booking_takes_a_fixed_number_of_queries(api):
    service, _team, slot = bookable_slot(capacity=3)
    api.post(URL, booking_payload(service, slot, n=1), format="json")  # the catalogue is read
    response, queries = post(api, booking_payload(service, slot, n=2))
    assert response.status_code == 201, response.content
    assert response.json()["start"] and response.json()["persons"] == 1
    # the read, the guarded UPDATE (returning the slot), the mailbox lock (one upsert) and its
    # limits (one query), the case and the appointment (its code unique by the index, not by
    # a look-up), its event and the outbox row (written without a look-up or a savepoint: the
    # appointment is new); on PostgreSQL each pair in one round trip (one statement)
    assert len(queries) == (5 if connection.vendor == "postgresql" else 8), "\n".join(queries)
    assert not [q for q in queries if "outboxmessage" in q and q.startswith("SELECT")]
    assert queries[1].startswith("UPDATE") and "booked" in queries[1]
    assert "RETURNING" in queries[1]
    assert not [q for q in queries[2:] if "appointments_slot" in q.split(" WHERE ")[0]]
    assert Slot.objects.get(pk=slot.pk).booked == 2


@pytest.mark.django_db(transaction=True)
def test_a_booking_request_is_one_transaction_without_savepoints(api):
    # Outside the test's transaction, as in production: BEGIN … COMMIT around the booking and
    # no SAVEPOINT/RELEASE pair around the appointment's insert (two round trips fewer while
    # the slot's row is locked).
    service, _team, slot = bookable_slot(capacity=3)
    api.post(URL, booking_payload(service, slot, n=1), format="json")
    with CaptureQueriesContext(connection) as queries:
        response = api.post(URL, booking_payload(service, slot, n=2), format="json")
    assert response.status_code == 201, response.content
    statements = [q["sql"] for q in queries]
    # (what follows the COMMIT is the test settings' in-process delivery of the mail)
    booking = statements[: statements.index("COMMIT") + 1]
    assert not [sql for sql in booking if "SAVEPOINT" in sql.upper()], booking
    # the read; BEGIN, the guarded UPDATE, the mailbox lock and limits, the case and the
    # appointment, the event and the outbox row (each pair one round trip on PostgreSQL),
    # COMMIT
    assert len(booking) == (7 if connection.vendor == "postgresql" else 10), booking
    assert Slot.objects.get(pk=slot.pk).booked == 2


def test_a_refused_booking_costs_a_few_queries(api):
    service, _team, slot = bookable_slot(capacity=1)
    assert api.post(URL, booking_payload(service, slot, n=1), format="json").status_code == 201
    response, queries = post(api, booking_payload(service, slot, n=2))
    assert response.status_code == 409 and response.json()["code"] == "slot_full"
    # one read: the slot has no free place (before the body is even checked)
    assert len(queries) == 1, "\n".join(queries)
    assert Appointment.objects.count() == 1
    invalid = {**booking_payload(service, slot, n=3), "email": "not an address"}
    assert api.post(URL, invalid, format="json").status_code == 409


def test_a_place_taken_between_the_read_and_the_update_is_refused_by_the_update(api):
    service, _team, slot = bookable_slot(capacity=1)
    catalogue_cache.active_service(service.slug)
    catalogue_cache.rules(service.pk)
    with mock.patch.object(booking, "refuse_if_taken"):  # as if the read saw a free place
        Slot.objects.filter(pk=slot.pk).update(booked=1)
        response, queries = post(api, booking_payload(service, slot, n=2))
    assert response.status_code == 409 and response.json()["code"] == "slot_full"
    # the guarded UPDATE that finds no free place, then why: the slot and its rule's service
    assert len(queries) == 3, "\n".join(queries)
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_a_slot_that_cannot_be_booked_is_refused_as_unavailable(api):
    service, _team, slot = bookable_slot(capacity=1)
    Slot.objects.filter(pk=slot.pk).update(closed=True)
    catalogue_cache.active_service(service.slug)  # read once per process, not per booking
    catalogue_cache.rules(service.pk)
    response, queries = post(api, booking_payload(service, slot, n=1))
    assert response.status_code == 409 and response.json()["code"] == "slot_unavailable"
    # the read (a free place), the guarded UPDATE, then the slot: closed
    assert len(queries) == 3 and Slot.objects.get(pk=slot.pk).booked == 0
