"""The call display: served numbers leave the list, the newest call is announced in the six
resident languages in rotation, an estimated waiting time per team, an optional chime switch;
never personal data, and nothing inline (strict CSP)."""

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine

from appointments import queue, selectors
from appointments.announcements import announcements
from appointments.models import Outcome
from caseworkers.models import DeviceToken
from tests.appointments.test_queue import at_hour, booked_today
from tests.factories import desk

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def morning():
    """Four people of one team checked in at 9:00; the first two called to counter 3."""
    first = booked_today(1, capacity=10)
    team = first.slot.team
    people = [first] + [booked_today(n, team=team, service=first.service) for n in (2, 3, 4)]
    counter = desk(team, "3")
    with time_machine.travel(at_hour(9, 0), tick=False):
        for person in people:
            queue.check_in(appointment_id=person.pk)
    with time_machine.travel(at_hour(9, 1), tick=False):
        queue.call_next(team=team, counter=counter)
    with time_machine.travel(at_hour(9, 2), tick=False):
        queue.call_next(team=team, counter=counter)
    return team, counter, people


def test_served_numbers_leave_the_list(morning):
    team, _counter, people = morning
    with time_machine.travel(at_hour(9, 5), tick=False):
        assert [c["waiting_number"] for c in selectors.display_calls([team])] == ["B-002", "B-001"]
        queue.start_service(appointment_id=people[0].pk)
        assert [c["waiting_number"] for c in selectors.display_calls([team])] == ["B-002"]
        queue.finish(appointment_id=people[0].pk, outcome=Outcome.OTHER)
        assert [c["waiting_number"] for c in selectors.display_calls([team])] == ["B-002"]


def test_announcement_in_the_six_languages_with_arabic_right_to_left():
    texts = {item["language"]: item for item in announcements(number="A-004", counter="3")}
    assert list(texts) == ["de", "en", "tr", "ar", "ru", "uk"]
    assert texts["en"]["text"] == "Number A-004, please go to counter 3"
    assert texts["de"]["text"] == "Nummer A-004, bitte zu Schalter 3"
    assert texts["ar"]["direction"] == "rtl" and texts["de"]["direction"] == "ltr"
    for code in ("de", "tr", "ar", "ru", "uk"):
        assert "A-004" in texts[code]["text"] and "3" in texts[code]["text"]
        assert texts[code]["text"] != texts["en"]["text"], code


def test_waiting_estimate_follows_the_documented_formula(morning, settings):
    team, _counter, people = morning
    settings.DISPLAY_DEFAULT_SERVICE_MINUTES = 15
    with time_machine.travel(at_hour(9, 10), tick=False):
        # Two waiting, no visit finished yet, one counter calling: 2 × 15 / 1 = 30.
        assert selectors.waiting_estimate(team) == {"team": team.name, "waiting": 2, "minutes": 30}
        queue.start_service(appointment_id=people[0].pk)
    with time_machine.travel(at_hour(9, 18), tick=False):
        queue.finish(appointment_id=people[0].pk, outcome=Outcome.OTHER)
        queue.call_next(team=team, counter=desk(team, "4"))
        # One waiting, mean service 8 min, two counters calling: ceil(1 × 8 / 2) = 4 → 5.
        assert selectors.waiting_estimate(team)["minutes"] == 5
        assert selectors.waiting_estimate(team)["waiting"] == 1


def test_display_page_rotates_announcements_shows_estimates_and_a_chime_switch(morning, client):
    team, _counter, people = morning
    _device, token = DeviceToken.issue(name="Wartebereich", teams=[team])
    with time_machine.travel(at_hour(9, 5), tick=False):
        client.get("/backoffice/display/", {"device": token})
        page = client.get("/backoffice/display/").content.decode()
        feed = client.get("/backoffice/display/feed/").content.decode()
    for content in (page, feed):
        shown = re.findall(r'<p class="display-announcement" lang="(\w+)" dir="(\w+)"', content)
        assert [lang for lang, _dir in shown] == ["de", "en", "tr", "ar", "ru", "uk"]
        assert ("ar", "rtl") in shown
        assert content.count(" hidden>") >= 5  # one language visible at a time
        assert "Nummer B-002, bitte zu Schalter 3" in content
        assert "Geschätzte Wartezeit" in content and team.name in content
        for person in people:
            assert person.surname not in content and person.code not in content
    assert 'id="chime-switch"' in page and 'aria-pressed="false"' in page
    assert "js/display.js" in page
    assert "<script>" not in page and "style=" not in page and " on" + "click" not in page


def test_display_script_rotates_and_chimes_only_when_switched_on():
    script = (ROOT / "static/js/display.js").read_text()
    assert "AudioContext" in script and "localStorage" in script
    assert '=== "on"' in script  # off unless switched on


def test_estimate_of_an_empty_team_is_zero(morning):
    team, _counter, _people = morning
    with time_machine.travel(at_hour(23, 0) + dt.timedelta(days=1), tick=False):
        assert selectors.waiting_estimate(team)["waiting"] == 0
        assert selectors.waiting_estimate(team)["minutes"] == 0
