"""The live wait page of a waiting ticket: signed link of the day, numbers only, the queue
position and estimate, "your turn — counter N"; forged and old links get one neutral page."""

import datetime as dt
import json
import shutil
import subprocess

import pytest
import time_machine
from django.utils import timezone

from appointments import booking, queue, selectors, wait_status
from appointments.models import Slot
from tests.factories import ServiceFactory, TeamFactory, bookable_slot, desk, person, route_all

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-11-10 09:50", tick=False)]


def arrived(n, *, team=None, service=None):
    """A resident with an appointment at 10:00 today, checked in now."""
    service = service or ServiceFactory()
    team = team or TeamFactory(waiting_prefix="B")
    if not service.responsibility_rules.exists():
        route_all(service, team)
    slot = Slot.objects.filter(team=team).first()
    if slot is None:
        _s, _t, slot = bookable_slot(service=service, team=team, capacity=9, days_ahead=0)
    made, _token = booking.book(
        service=service,
        slot_id=slot.pk,
        person=person(n),
        channel="staff",
        now=slot.start - dt.timedelta(days=1),
    )
    return queue.check_in(appointment_id=made.pk)


def url(appointment, suffix=""):
    return f"/de/warten/{wait_status.ticket_token(appointment)}/{suffix}"


def test_the_page_shows_number_people_before_and_estimate_but_nothing_personal(client):
    first = arrived(1)
    second = arrived(2, team=first.queue_team, service=first.service)
    third = arrived(3, team=first.queue_team, service=first.service)
    response = client.get(url(third))
    assert response.status_code == 200
    text = response.content.decode()
    assert third.waiting_number in text
    assert "2 people before you" in text or "2 Personen" in text
    state = wait_status.status(third)
    assert state["ahead"] == 2
    assert state["minutes"] == selectors.estimate_minutes(third.queue_team, 2)
    for personal in (third.surname, third.given_names, third.email, third.code, "1990"):
        assert personal not in text
    assert wait_status.status(first)["ahead"] == 0
    assert second.waiting_number not in text


def test_the_json_status_has_numbers_and_texts_only(client):
    me = arrived(1)
    data = json.loads(client.get(url(me, "status.json")).content)
    assert set(data) == {"state", "number", "ahead", "minutes", "counter", "headline", "detail"}
    assert data["state"] == "waiting" and data["ahead"] == 0
    assert me.surname not in json.dumps(data)


def test_when_called_the_page_says_your_turn_with_the_counter_in_the_title(client):
    me = arrived(1)
    queue.call(appointment_id=me.pk, counter=desk(me.queue_team, "3"))
    response = client.get(url(me, ""), HTTP_ACCEPT_LANGUAGE="en")
    en = client.get(f"/en/warten/{wait_status.ticket_token(me)}/").content.decode()
    assert response.status_code == 200
    title = en.split("<title>")[1].split("</title>")[0]
    assert "counter 3" in title
    data = json.loads(client.get(f"/en/warten/{wait_status.ticket_token(me)}/status.json").content)
    assert data["state"] == "called" and data["counter"] == "3"


def test_parked_served_finished_and_no_longer_waiting_states():
    me = arrived(1)
    counter = desk(me.queue_team, "3")

    def state():
        return wait_status.status(wait_status.ticket_appointment(wait_status.ticket_token(me)))

    queue.call(appointment_id=me.pk, counter=counter)
    queue.park(appointment_id=me.pk)
    assert state()["state"] == "paused"
    queue.call(appointment_id=me.pk, counter=counter)
    assert state() | {"ahead": None} == {
        "state": "called",
        "number": me.waiting_number,
        "ahead": None,
        "minutes": None,
        "counter": "3",
    }
    queue.start_service(appointment_id=me.pk)
    assert state()["state"] == "serving"
    queue.finish(appointment_id=me.pk, outcome="other")
    assert state()["state"] == "done"
    other = arrived(2, team=me.queue_team, service=me.service)
    queue.call(appointment_id=other.pk, counter=counter)
    queue.mark_no_show(appointment_id=other.pk, confirm=True)
    assert (
        wait_status.status(wait_status.ticket_appointment(wait_status.ticket_token(other)))["state"]
        == "gone"
    )


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("a" if token[-1] != "a" else "b"),
        lambda token: "1" + token,
        lambda token: "zz-" + token,
        lambda token: "not-a-token",
        lambda token: "",
    ],
)
def test_forged_links_get_the_neutral_page(client, mangle):
    me = arrived(1)
    token = mangle(wait_status.ticket_token(me))
    response = client.get(f"/de/warten/{token}/") if token else client.get("/de/warten/x/")
    assert response.status_code == 404
    assert me.waiting_number not in response.content.decode()
    assert client.get(f"/de/warten/{token or 'x'}/status.json").status_code == 404


def test_the_link_ends_with_the_day(client):
    me = arrived(1)
    link = url(me)
    assert client.get(link).status_code == 200
    midnight = timezone.make_aware(dt.datetime(2026, 11, 11, 0, 0, 1))
    with time_machine.travel(midnight, tick=False):
        assert client.get(link).status_code == 404


def test_the_page_and_the_json_have_a_pinned_query_count(client, django_assert_num_queries):
    me = arrived(1)
    arrived(2, team=me.queue_team, service=me.service)
    page, feed = url(me), url(me, "status.json")
    client.get(page)  # warm up (sessions, content types)
    # appointment, walk-in turn, the queue order, finished visits, active counters
    with django_assert_num_queries(5):
        assert client.get(page).status_code == 200
    with django_assert_num_queries(5):
        assert client.get(feed).status_code == 200


@pytest.mark.skipif(not shutil.which("zbarimg") or not shutil.which("rsvg-convert"), reason="zbar")
def test_the_ticket_carries_a_standard_qr_of_the_wait_link(client, reception_user, tmp_path):
    me = arrived(1)
    client.force_login(reception_user)
    html = client.get(f"/backoffice/reception/{me.pk}/ticket/").content.decode()
    link = wait_status.wait_url(me)
    assert link in html
    svg = html.split('<div class="ticket-wait mt-3">')[1].split("</div>")[0]
    assert decode(svg, tmp_path) == link


def decode(svg, tmp_path):
    (tmp_path / "qr.svg").write_text(svg)
    subprocess.run(
        [
            "rsvg-convert",
            "-w",
            "600",
            "-b",
            "white",
            "-o",
            tmp_path / "qr.png",
            tmp_path / "qr.svg",
        ],
        check=True,
    )
    found = subprocess.run(
        ["zbarimg", "-q", "--raw", tmp_path / "qr.png"], capture_output=True, text=True
    )
    return found.stdout.strip()


def test_without_javascript_the_page_reloads_itself(client, settings):
    settings.WAIT_STATUS_POLL_SECONDS = 20
    html = client.get(url(arrived(1))).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="20"></noscript>' in html
    assert "<script>" not in html and "js/wait-status.js" in html
