"""The live queue board is cheap to refresh: 304 while nothing of the team's day changed (the
board version is bumped in the transaction of every check-in, call or other change), and a
fixed number of queries however many people wait."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appointments import booking, queue
from appointments.models import Appointment, Priority
from tests.appointments.test_queue import at_hour, booked_today
from tests.factories import ServiceFactory, TeamFactory, bookable_slot, desk, person, route_all

pytestmark = pytest.mark.django_db


def number(appointment):
    return Appointment.objects.get(pk=appointment.pk).waiting_number


def board_url(team):
    return f"/backoffice/queue/{team.pk}/board/"


def test_the_board_answers_304_until_a_check_in_or_a_call(client, login_as):
    first = booked_today(1)
    team = first.slot.team
    second = booked_today(2, team=team, service=first.service)
    user = login_as("caseworker")
    with time_machine.travel(at_hour(9, 50) + dt.timedelta(seconds=10), tick=False):
        queue.check_in(appointment_id=first.pk)
        shown = client.get(board_url(team))
        etag = shown["ETag"]
        assert shown.status_code == 200 and "B-001" in shown.content.decode()
        again = client.get(board_url(team), headers={"if-none-match": etag})
        assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag

        queue.check_in(appointment_id=second.pk)
        checked_in = client.get(board_url(team), headers={"if-none-match": etag})
        assert checked_in.status_code == 200 and "B-002" in checked_in.content.decode()
        etag = checked_in["ETag"]
        assert client.get(board_url(team), headers={"if-none-match": etag}).status_code == 304

        queue.call(appointment_id=first.pk, counter=desk(team), actor=user)
        called = client.get(board_url(team), headers={"if-none-match": etag})
        assert called.status_code == 200 and called["ETag"] != etag
        etag = called["ETag"]
    # the waiting minutes move on with the minute
    with time_machine.travel(at_hour(9, 51), tick=False):
        later = client.get(board_url(team), headers={"if-none-match": etag})
        assert later.status_code == 200 and later["ETag"] != etag


def test_a_booking_on_another_day_leaves_todays_board_unchanged(client, login_as):
    first = booked_today(1)
    team, service = first.slot.team, first.service
    login_as("caseworker")
    with time_machine.travel(at_hour(9, 50), tick=False):
        queue.check_in(appointment_id=first.pk)
        etag = client.get(board_url(team))["ETag"]
        _s, _t, tomorrow = bookable_slot(service=service, team=team, days_ahead=1, hour=10)
        booking.book(service=service, slot_id=tomorrow.pk, person=person(3), channel="staff")
        assert client.get(board_url(team), headers={"if-none-match": etag}).status_code == 304
        # a booking for today is on the board ("expected")
        booked_today(4, team=team, service=service)
        assert client.get(board_url(team), headers={"if-none-match": etag}).status_code == 200


def test_the_queue_page_hands_its_version_to_the_refresh(client, login_as):
    first = booked_today(1)
    team = first.slot.team
    login_as("caseworker")
    with time_machine.travel(at_hour(9, 50), tick=False):
        queue.check_in(appointment_id=first.pk)
        page = client.get(f"/backoffice/queue/{team.pk}/").content.decode()
        etag = client.get(board_url(team))["ETag"]
        quoted = etag.replace('"', "&quot;")
        assert f'data-refresh-etag="{quoted}"' in page
        assert client.get(board_url(team), headers={"if-none-match": etag}).status_code == 304
        # a forward changes both teams' boards
        other_service = ServiceFactory()
        other = booked_today(9, service=other_service, team=TeamFactory(waiting_prefix="C"))
        route_all(first.service, other.slot.team)
        other_etag = client.get(board_url(other.slot.team))["ETag"]
        user = login_as("caseworker")
        queue.call(appointment_id=first.pk, counter=desk(team), actor=user)
        etag = client.get(board_url(team))["ETag"]
        queue.forward(appointment_id=first.pk, team=other.slot.team, actor=user)
        assert client.get(board_url(team), headers={"if-none-match": etag}).status_code == 200
        moved = client.get(board_url(other.slot.team), headers={"if-none-match": other_etag})
        assert moved.status_code == 200 and number(first) in moved.content.decode()


def fill_queue(count):
    """`count` people waiting in one team: up to four with appointments (those not checked in
    are expected), the rest walk-ins and emergencies of two services."""
    first = booked_today(0, capacity=20)
    team = first.slot.team
    team.walk_in_daily_limit = 1000
    team.save(update_fields=["walk_in_daily_limit"])
    other = ServiceFactory()
    route_all(other, team)
    appointments = [first] + [booked_today(n, team=team, service=first.service) for n in (1, 2, 3)]
    with time_machine.travel(at_hour(9, 50), tick=False):
        for appointment in appointments[:count]:
            queue.check_in(appointment_id=appointment.pk)
        for n in range(4, count):
            queue.add_walk_in(
                team=team,
                service=other if n % 3 else first.service,
                person=person(n),
                priority=Priority.EMERGENCY if n % 7 == 0 else Priority.WALK_IN,
            )
    return team


@pytest.mark.parametrize("waiting", [0, 1, 200])
def test_the_board_takes_the_same_queries_for_0_1_and_200_waiting(client, login_as, waiting):
    team = fill_queue(waiting)
    user = login_as("caseworker")
    with time_machine.travel(at_hour(9, 55), tick=False):
        client.get(board_url(team))  # the session and the day's version row exist from here on
        cache.clear()  # drawn anew, not taken from another screen's drawing
        with CaptureQueriesContext(connection) as full:
            shown = client.get(board_url(team))
        assert shown.status_code == 200
        body = shown.content.decode()
        assert body.count("/call/") == waiting and body.count('class="traffic-') == waiting
        assert body.count("<li>10:00 · ") == 4 - min(waiting, 4)  # expected, not yet arrived
        with CaptureQueriesContext(connection) as shared:
            again = client.get(board_url(team))
        assert again.content.decode().replace(token(again), "") == body.replace(token(shown), "")
        with CaptureQueriesContext(connection) as unchanged:
            same = client.get(board_url(team), headers={"if-none-match": shown["ETag"]})
        assert same.status_code == 304 and same.content == b""
        counts = (len(full), len(shared), len(unchanged))
        if waiting:
            # a queue move: a new version, and the board shows it
            queue.call_next(team=team, counter=desk(team), actor=user)
            moved = client.get(board_url(team), headers={"if-none-match": shown["ETag"]})
            assert moved.status_code == 200 and moved["ETag"] != shown["ETag"]
            assert moved.content.decode().count('class="traffic-') == waiting - 1
    # unchanged: session, user, roles and memberships (one query), the team with its board
    # version; drawn: then the day (its slots, then their appointments: two indexed queries)
    # and the walk-in turn; already drawn for this version (by any screen): no more
    assert counts == (7, 4, 4)


def token(response):
    found = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', response.content.decode())
    return found[1] if found else ""
