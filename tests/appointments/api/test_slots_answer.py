"""The public availability answer: written from plain rows (the same fields as
SlotOutputSerializer), a fixed number of queries however many slots, an ETag with 304 for a
repeated request, and a place taken by a booking gone from the very next answer."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer

from appointments import booking
from appointments.api.serializers import SlotOutputSerializer
from appointments.models import Contingent, Slot
from tests.factories import bookable_slot, person

pytestmark = pytest.mark.django_db


def slots_of(team, rule, count):
    """`count` more free slots of the rule, an hour apart from the third day on."""
    first = Slot.objects.filter(rule=rule).earliest("start")
    return [
        Slot.objects.create(
            team=team,
            rule=rule,
            start=first.start + dt.timedelta(days=n // 6, hours=n % 6 + 1),
            end=first.end + dt.timedelta(days=n // 6, hours=n % 6 + 1),
            contingent=Contingent.ONLINE,
            capacity=2,
        )
        for n in range(count)
    ]


def url(service):
    return f"/api/v1/services/{service.slug}/slots/"


def test_the_answer_has_the_serializers_fields_and_values(api):
    service, team, slot = bookable_slot(capacity=3)
    slots_of(team, slot.rule, 5)
    Slot.objects.filter(pk=slot.pk).update(booked=1)
    answer = api.get(url(service)).json()["results"]
    expected = list(Slot.objects.filter(team=team).order_by("start", "pk"))
    for each in expected:
        each.free_places = each.capacity - each.booked
    serialized = SlotOutputSerializer(expected, many=True).data
    # the same JSON as the serializer writes from model objects
    assert JSONRenderer().render(answer) == JSONRenderer().render(serialized)
    assert answer[0]["free"] == 2 and answer[0]["team"] == team.name


@pytest.mark.parametrize("extra", [3, 60])
def test_the_answer_takes_the_same_queries_for_few_and_many_slots(api, extra):
    service, team, slot = bookable_slot()
    slots_of(team, slot.rule, extra)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url(service))
    assert response.status_code == 200 and response.json()["count"] == extra + 1
    # cold: the service, its rules and teams, the team's availability version (made on first
    # use, read again), the team's free slots (one query for all pages)
    assert len(queries) == 6
    with CaptureQueriesContext(connection) as queries:
        again = api.get(url(service))
    # warm: only the version, read before the answer comes from the cache
    assert len(queries) == 1 and again.json() == response.json()
    booking.book(service=service, slot_id=slot.pk, person=person(1), channel="staff")
    with CaptureQueriesContext(connection) as queries:
        after = api.get(url(service))
    # the booking bumped the version: the version and the free slots again
    assert len(queries) == 2
    free = {row["id"]: row["free"] for row in after.json()["results"]}
    assert free[slot.pk] == slot.capacity - 1


def test_a_repeated_request_gets_304_and_a_booking_changes_the_answer(api):
    service, team, slot = bookable_slot(capacity=1)
    other = slots_of(team, slot.rule, 1)[0]
    first = api.get(url(service))
    etag = first["ETag"]
    assert {r["id"] for r in first.json()["results"]} == {slot.pk, other.pk}
    again = api.get(url(service), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""

    booking.book(service=service, slot_id=slot.pk, person=person(1), channel="staff")

    after = api.get(url(service), HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after["ETag"] != etag
    assert [r["id"] for r in after.json()["results"]] == [other.pk]
