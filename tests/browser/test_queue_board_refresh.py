"""The caseworker's live queue board in a real browser: the refresh sends the board's version
back (If-None-Match), an unchanged board (304) is left as it is, a check-in shows up."""

import pytest
import time_machine
from playwright.sync_api import expect

from appointments import queue
from tests.appointments.test_queue import at_hour, booked_today
from tests.browser.test_backoffice_flow import log_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_board_is_replaced_only_when_the_queue_moved(live_server, browser, caseworker_user):
    first = booked_today(1)
    team = first.slot.team
    second = booked_today(2, team=team, service=first.service)
    base = live_server.url
    with time_machine.travel(at_hour(9, 50), tick=True):
        queue.check_in(appointment_id=first.pk)
        page = log_in(browser.new_context(locale="en-US"), base, caseworker_user.username)
        answers = []
        page.on("response", lambda r: answers.append(r.status) if "/board/" in r.url else None)
        page.goto(f"{base}/backoffice/queue/{team.pk}/")
        board = page.locator("#board")
        expect(board).to_contain_text("B-001")
        # a mark on the drawn board survives refreshes that bring nothing new
        page.evaluate("document.querySelector('#board h2').dataset.kept = 'yes'")
        page.wait_for_timeout(9_000)  # the board refreshes every 8 s
        assert answers and set(answers) == {304}
        assert page.evaluate("document.querySelector('#board h2').dataset.kept") == "yes"
        queue.check_in(appointment_id=second.pk)
        expect(board).to_contain_text("B-002", timeout=12_000)
        assert 200 in answers
        assert page.evaluate("document.querySelector('#board h2').dataset.kept") is None
