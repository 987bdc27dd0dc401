"""The queue board's rows, drawn in Python (caseworkers/board.py) rather than per row through
the template engine: the same markup as the templates, texts escaped, the buttons' addresses
reversed once per board, and the waiting list in call order."""

import itertools
import re
from unittest import mock

import pytest
import redis
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from appointments import outage, queue
from appointments.models import Appointment, Priority, Status
from caseworkers import board
from tests.appointments.test_queue import at_hour, booked_today
from tests.factories import desk, person, staff

pytestmark = pytest.mark.django_db

NEEDS = (
    "party_id",
    "interpreter_needed",
    "needs_sign_language",
    "needs_wheelchair",
    "needs_companion",
    "needs_note",
)


class Row(dict):
    """A board row that the template include can read too (attributes as keys)."""

    __getattr__ = dict.__getitem__


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_needs_badges_are_those_of_the_template_for_every_combination(language):
    with translation.override(language):
        labels = board._labels()
        for flags in itertools.product((False, True), repeat=len(NEEDS)):
            for interpreter_language in ("", "Tigrinya <b> & 'x'"):
                row = Row(zip(NEEDS, flags, strict=True))
                row["party_id"] = 7 if row["party_id"] else None
                row["needs_note"] = "<ramp>" if row["needs_note"] else ""
                row["interpreter_language"] = interpreter_language
                template = render_to_string(
                    "caseworkers/partials/needs_badges.html", {"a": row}
                ).rstrip("\n")
                assert board.needs_badges(row, labels) == template


def test_the_rows_show_level_lateness_needs_and_handlers_escaped(client, login_as):
    first = booked_today(1, hour=10)
    team, service = first.slot.team, first.service
    early = booked_today(2, team=team, service=service, hour=11)
    expected = booked_today(3, team=team, service=service, hour=10)
    called = booked_today(4, team=team, service=service, hour=10)
    Appointment.objects.filter(pk=first.pk).update(
        interpreter_needed=True, interpreter_language="<script>x</script>"
    )
    Appointment.objects.filter(pk=expected.pk).update(needs_wheelchair=True)
    anna = login_as("caseworker", username="anna")
    anna.first_name, anna.last_name = "Anna", "<Ü>"
    anna.save(update_fields=["first_name", "last_name"])
    with time_machine.travel(at_hour(9, 40), tick=False):
        queue.check_in(appointment_id=first.pk)
    with time_machine.travel(at_hour(9, 55), tick=False):
        for appointment in (early, called):
            queue.check_in(appointment_id=appointment.pk)
        walk_in = queue.add_walk_in(team=team, service=service, person=person(9))
        emergency = queue.add_walk_in(
            team=team, service=service, person=person(8), priority=Priority.EMERGENCY
        )
        queue.call(appointment_id=called.pk, counter=desk(team), actor=anna)
    Appointment.objects.filter(pk=first.pk).update(arrived_late=True)
    with time_machine.travel(at_hour(10, 5), tick=False):
        answer = client.get(
            f"/backoffice/queue/{team.pk}/board/", headers={"accept-language": "en"}
        )
        body = answer.content.decode()
    rows = re.findall(r'<tr class="traffic-(\w+)">(.*?)</tr>', body)
    numbers = [re.search(r"fw-bold\">([A-Z]-\d+)", row)[1] for _light, row in rows]
    in_order = [emergency, first, walk_in, early]  # emergency, due, walk-in, early
    assert numbers == [Appointment.objects.get(pk=a.pk).waiting_number for a in in_order]
    assert [light for light, _row in rows] == ["green", "amber", "green", "green"]
    emergency_row, first_row, walk_in_row, early_row = (row for _light, row in rows)
    assert '<span class="badge text-bg-danger">Emergency</span>' in emergency_row
    assert '<span class="badge text-bg-secondary">Walk-in</span>' in walk_in_row
    assert "Appointment 10:00" in first_row and "early" not in first_row
    assert '<span class="badge text-bg-warning">late</span>' in first_row
    assert "&lt;script&gt;x&lt;/script&gt;" in first_row and "<script>" not in body
    assert "25 min" in first_row and "(above target)" in first_row
    assert "Appointment 11:00 <span class" in early_row and ">early<" in early_row
    assert 'name="csrfmiddlewaretoken"' in early_row
    number = Appointment.objects.get(pk=called.pk).waiting_number
    assert (
        f'<a href="/backoffice/visits/{called.pk}/"><span class="font-monospace">{number}</span>'
        f"</a> called → {desk(team).number} (1×) · by Anna &lt;Ü&gt;"
    ) in body
    assert "<li>10:00 · " in body and ">wheelchair<" in body


def test_the_buttons_addresses_are_reversed_once_per_board_not_per_row(client, login_as):
    first = booked_today(1)
    team = first.slot.team
    others = [booked_today(n, team=team, service=first.service) for n in (2, 3, 4)]
    user = login_as("caseworker")
    with time_machine.travel(at_hour(9, 50), tick=False):
        for appointment in (first, *others):
            queue.check_in(appointment_id=appointment.pk)
        queue.call(appointment_id=others[0].pk, counter=desk(team), actor=user)
        with mock.patch.object(board, "reverse", wraps=reverse) as reversing:
            body = client.get(f"/backoffice/queue/{team.pk}/board/").content.decode()
    assert reversing.call_count == 2  # the call button and the visit link, once each
    for appointment in (first, *others[1:]):
        call = reverse(
            "caseworkers:act", kwargs={"appointment_id": appointment.pk, "action": "call"}
        )
        assert f'action="{call}"' in body
    visit = reverse("caseworkers:visit", kwargs={"appointment_id": others[0].pk})
    assert f'<a href="{visit}">' in body


def test_a_drawing_shared_by_two_screens_carries_each_screens_own_csrf_field(login_as):
    first = booked_today(1)
    team = first.slot.team
    with time_machine.travel(at_hour(9, 50), tick=False):
        queue.check_in(appointment_id=first.pk)
        anna, ben = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
        anna.force_login(staff("caseworker", username="anna"))
        ben.force_login(staff("caseworker", username="ben"))
        anna.get(f"/backoffice/queue/{team.pk}/board/")
        with CaptureQueriesContext(connection) as drawn:
            board_of_ben = ben.get(f"/backoffice/queue/{team.pk}/board/").content.decode()
        assert not any("appointments_appointment" in q["sql"] for q in drawn.captured_queries)
        assert board.CSRF_MARK not in board_of_ben
        field = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', board_of_ben)[1]
        form = {"csrfmiddlewaretoken": field, "counter": desk(team).pk}
        called = ben.post(f"/backoffice/visits/{first.pk}/call/", form)
    assert called.status_code == 302  # not refused as a forgery (403)
    assert Appointment.objects.get(pk=first.pk).status == Status.CALLED


def test_without_the_cache_the_board_is_drawn_for_each_screen(client, login_as):
    first = booked_today(1)
    team = first.slot.team
    login_as("caseworker")
    with time_machine.travel(at_hour(9, 50), tick=False):
        queue.check_in(appointment_id=first.pk)
        with mock.patch.object(board.cache, "get", side_effect=redis.ConnectionError):
            shown = client.get(f"/backoffice/queue/{team.pk}/board/")
        assert shown.status_code == 200 and 'class="traffic-' in shown.content.decode()
        assert outage.CACHE.active()
        again = client.get(f"/backoffice/queue/{team.pk}/board/")  # the cache is left alone
        assert again.status_code == 200 and 'class="traffic-' in again.content.decode()


def test_a_screen_polling_a_drawn_board_costs_four_queries(django_assert_num_queries):
    """The session, the user, the user's roles and teams in one, the team with its board
    version: the board itself comes drawn from the cache."""
    from caseworkers.models import TeamMembership

    first = booked_today(1)
    team = first.slot.team
    with time_machine.travel(at_hour(9, 50), tick=False):
        queue.check_in(appointment_id=first.pk)
        user = staff("caseworker", username="anna")
        TeamMembership.objects.create(user=user, team=team)
        screen = Client()
        screen.force_login(user)
        drawn = screen.get(f"/backoffice/queue/{team.pk}/board/")
        assert drawn.status_code == 200
        with django_assert_num_queries(4):
            again = screen.get(f"/backoffice/queue/{team.pk}/board/")
        assert again.status_code == 200
        with django_assert_num_queries(4):
            unchanged = screen.get(
                f"/backoffice/queue/{team.pk}/board/", headers={"If-None-Match": drawn["ETag"]}
            )
        assert unchanged.status_code == 304
