"""The office day in real browsers: check-in → call → the display shows it → finish → follow-up;
and axe-core on every backoffice page."""

import re

import pytest
import time_machine
from playwright.sync_api import expect

from appointments import queue
from appointments.models import Counter, Status
from caseworkers.models import DeviceToken
from tests.appointments.test_queue import at_hour, booked_today
from tests.browser.helpers import assert_accessible
from tests.factories import PASSWORD, ServiceFactory, bookable_slot, route_all


def log_in(context, base, username):
    page = context.new_page()
    page.goto(f"{base}/backoffice/login/")
    page.get_by_label(re.compile("Benutzername|Username")).fill(username)
    page.get_by_label(re.compile("Passwort|Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Anmelden|Log in")).click()
    expect(page).to_have_url(f"{base}/backoffice/")
    return page


@pytest.fixture
def office_day(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    pickup = ServiceFactory(slug="eat-pickup", name="eAT-Abholung")
    application = ServiceFactory(slug="extension", name="Verlängerung", follow_up_service=pickup)
    appointment = booked_today(1, service=application)
    team = appointment.slot.team
    route_all(pickup, team)
    _s, _t, pickup_slot = bookable_slot(
        service=pickup, team=team, days_ahead=43, contingent="internal"
    )
    counter = Counter.objects.create(team=team, number="5")
    return appointment, team, counter, pickup_slot


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_check_in_call_display_finish_and_follow_up(
    live_server, browser, reception_user, caseworker_user, office_day
):
    appointment, team, counter, pickup_slot = office_day
    _device, token = DeviceToken.issue(name="Wartebereich", teams=[team])
    base = live_server.url
    with time_machine.travel(at_hour(9, 50), tick=True) as clock:
        reception = log_in(browser.new_context(locale="en-US"), base, reception_user.username)
        reception.goto(f"{base}/backoffice/reception/")
        assert_accessible(reception)
        reception.get_by_label("Booking code").fill(appointment.code)
        reception.keyboard.press("Enter")
        expect(reception.get_by_text(appointment.surname, exact=False).first).to_be_visible()
        assert_accessible(reception)
        reception.get_by_role("button", name="Check in").click()
        expect(reception.get_by_role("alert").first).to_contain_text("B-001")

        display = browser.new_context().new_page()
        display.goto(f"{base}/backoffice/display/?device={token}")
        expect(display).to_have_url(f"{base}/backoffice/display/")
        assert_accessible(display)

        caseworker = log_in(browser.new_context(locale="en-US"), base, caseworker_user.username)
        caseworker.goto(f"{base}/backoffice/queue/{team.pk}/")
        expect(caseworker.locator("#board")).to_contain_text("B-001")
        assert_accessible(caseworker)
        caseworker.select_option("#counter", str(counter.pk))
        caseworker.get_by_role("button", name="Call next").click()
        expect(caseworker).to_have_url(f"{base}/backoffice/visits/{appointment.pk}/")
        assert_accessible(caseworker)

        # the display picks the call up by itself within a few seconds
        expect(display.locator("tr.newest")).to_contain_text("B-001", timeout=10_000)
        expect(display.locator("tr.newest")).to_contain_text("5")
        assert appointment.surname not in display.content()

        caseworker.get_by_role("button", name="Start service").click()
        caseworker.get_by_label("Outcome").select_option("application_filed")
        caseworker.get_by_role("button", name="Finish visit").click()
        caseworker.get_by_role("link", name=re.compile("Book follow-up")).click()
        assert_accessible(caseworker)
        caseworker.locator(f'button[value="{pickup_slot.pk}"]').click()
        expect(caseworker.get_by_role("alert").first).to_contain_text("Follow-up visit booked")

        # a second resident: called from the list (the counter of the day is remembered),
        # called again too soon, then marked as not there only after the confirmation page
        second = booked_today(2, team=team, service=appointment.service, hour=10)
        queue.check_in(appointment_id=second.pk)
        caseworker.goto(f"{base}/backoffice/queue/{team.pk}/")
        caseworker.get_by_role("button", name="Call B-002").click()
        expect(caseworker).to_have_url(f"{base}/backoffice/visits/{second.pk}/")
        caseworker.get_by_role("button", name="Call again").click()
        expect(caseworker.get_by_role("alert").first).to_contain_text("please wait")
        clock.shift(61)
        caseworker.get_by_role("button", name="Call again").click()
        expect(caseworker.locator("dd").first).to_contain_text("call 2 of")
        caseworker.get_by_role("button", name="Not there").first.click()
        expect(caseworker.get_by_role("heading", name="Please confirm")).to_be_visible()
        assert_accessible(caseworker)
        caseworker.get_by_role("button", name="Yes, mark as not there").click()
        expect(caseworker).to_have_url(f"{base}/backoffice/queue/{team.pk}/")

        # the resident turns up after all: reception's ordinary check-in admits them again
        reception.goto(f"{base}/backoffice/reception/?code={second.code}")
        reception.get_by_role("button", name="Check in").click()
        expect(reception.get_by_role("heading", name="Please confirm")).to_be_visible()
        assert_accessible(reception)
        reception.get_by_role("button", name="Yes, admit again").click()
        expect(reception.get_by_role("alert").first).to_contain_text("B-002")

        caseworker.goto(f"{base}/backoffice/queue/{team.pk}/day/")
        assert_accessible(caseworker)
        caseworker.goto(f"{base}/backoffice/")
        assert_accessible(caseworker)
    follow_up = appointment.case.appointments.get(channel="follow_up")
    assert follow_up.slot_id == pickup_slot.pk
    second.refresh_from_db()
    assert second.status == Status.CHECKED_IN and second.call_count == 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_walk_in_and_login_pages_are_accessible(live_server, browser, reception_user, office_day):
    login_page = browser.new_context().new_page()
    login_page.goto(f"{live_server.url}/backoffice/login/")
    assert_accessible(login_page)
    reception = log_in(
        browser.new_context(locale="en-US"), live_server.url, reception_user.username
    )
    reception.goto(f"{live_server.url}/backoffice/reception/walk-in/")
    assert_accessible(reception)
    reception.get_by_role("button", name="Add to the queue").click()
    assert_accessible(reception)  # with the error messages shown
