"""Issue 13's morning in real browsers: reception checks in (and prints the ticket), admits a
walk-in emergency beyond the day's places, two caseworkers call at once from their counters,
a recall waits for the interval, a no-show is undone at reception, a caseworker finds a
resident by name; axe-core finds no WCAG violation on any page visited.

Left out here (other helpers' work): the follow-up booked in the first free week, and the
rule change that notifies the residents booked in vanishing slots.
"""

import pytest
import time_machine
from playwright.sync_api import expect

from appointments import queue
from appointments.models import Appointment, Counter, Event, Status
from caseworkers.roles import CASEWORKER
from tests.appointments.test_queue import at_hour, booked_today
from tests.browser.test_backoffice_flow import assert_accessible, log_in
from tests.factories import PASSWORD, ServiceFactory, staff


@pytest.fixture
def morning(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    service = ServiceFactory(slug="extension", name="Verlängerung")
    first = booked_today(1, service=service)
    team = first.slot.team
    team.location = "Wartebereich 2, Erdgeschoss"
    team.walk_in_daily_limit = 0  # today's places are used up: the emergency goes beyond
    team.save(update_fields=["location", "walk_in_daily_limit"])
    second = booked_today(2, team=team, service=service)
    counters = [Counter.objects.create(team=team, number=number) for number in ("5", "6")]
    colleague = staff(CASEWORKER, username="sachbearbeitung2", password=PASSWORD)
    return first, second, team, counters, colleague


def check_in_by_code(reception, base, code):
    reception.goto(f"{base}/backoffice/reception/")
    reception.get_by_label("Booking code").fill(code)
    reception.keyboard.press("Enter")
    reception.get_by_role("button", name="Check in").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_morning_at_the_office(live_server, browser, reception_user, caseworker_user, morning):
    first, second, team, (counter_5, counter_6), colleague = morning
    base = live_server.url
    with time_machine.travel(at_hour(9, 56), tick=True) as clock:
        # reception: the booked resident, then the printable ticket
        reception = log_in(browser.new_context(locale="en-US"), base, reception_user.username)
        reception.goto(f"{base}/backoffice/reception/")
        assert_accessible(reception)
        check_in_by_code(reception, base, first.code)
        expect(reception).to_have_url(f"{base}/backoffice/reception/{first.pk}/ticket/")
        expect(reception.locator("#ticket-number")).to_have_text("B-001")
        expect(reception.locator(".waiting-ticket")).to_contain_text("Wartebereich 2")
        expect(reception.locator(".waiting-ticket svg")).to_be_visible()
        assert_accessible(reception)
        queue.check_in(appointment_id=second.pk)  # B-002, checked in at another desk

        # a walk-in emergency: the team follows from concern and surname, past the places
        reception.goto(f"{base}/backoffice/reception/walk-in/")
        assert_accessible(reception)
        reception.select_option("#id_service", str(first.service_id))
        reception.fill("#id_surname", "Kowalenko")
        reception.fill("#id_given_names", "Olena")
        reception.fill("#id_date_of_birth", "1985-02-11")
        reception.select_option("#id_nationality", "UA")
        reception.check("#id_urgent")
        reception.get_by_role("button", name="Add to the queue").click()
        expect(reception.locator(".invalid-feedback, .alert-danger").first).to_contain_text(
            "used up"
        )
        assert_accessible(reception)
        reception.check("#id_beyond_contingent")
        reception.fill("#id_beyond_reason", "Fiktionsbescheinigung läuft heute ab")
        reception.get_by_role("button", name="Add to the queue").click()
        expect(reception.locator("#ticket-number")).to_have_text("B-003")
        emergency = Appointment.objects.get(surname="Kowalenko")

        # two caseworkers at their counters call at once: each gets another person
        one = log_in(browser.new_context(locale="en-US"), base, caseworker_user.username)
        two = log_in(browser.new_context(locale="en-US"), base, colleague.username)
        for page, counter in ((one, counter_5), (two, counter_6)):
            page.goto(f"{base}/backoffice/queue/{team.pk}/")
            expect(page.locator("#board")).to_contain_text("B-003")
            page.select_option("#counter", str(counter.pk))
        assert_accessible(one)
        one.get_by_role("button", name="Call next").click()
        two.get_by_role("button", name="Call next").click()
        expect(one).to_have_url(f"{base}/backoffice/visits/{emergency.pk}/")  # emergencies first
        expect(two).to_have_url(f"{base}/backoffice/visits/{first.pk}/")
        assert_accessible(one)
        assert_accessible(two)

        one.get_by_role("button", name="Start service").click()
        one.get_by_label("Outcome").select_option("application_filed")
        one.get_by_role("button", name="Finish visit").click()

        # the next one is not there: a recall only after the interval, the no-show confirmed
        one.goto(f"{base}/backoffice/queue/{team.pk}/")
        one.get_by_role("button", name="Call next").click()
        expect(one).to_have_url(f"{base}/backoffice/visits/{second.pk}/")
        one.get_by_role("button", name="Call again").click()
        expect(one.get_by_role("alert").first).to_contain_text("please wait")
        assert_accessible(one)
        clock.shift(61)
        one.get_by_role("button", name="Call again").click()
        expect(one.locator("dd").first).to_contain_text("call 2 of")
        one.get_by_role("button", name="Not there").first.click()
        expect(one.get_by_role("heading", name="Please confirm")).to_be_visible()
        assert_accessible(one)
        one.get_by_role("button", name="Yes, mark as not there").click()
        expect(one).to_have_url(f"{base}/backoffice/queue/{team.pk}/")

        # the resident turns up after all: reception admits them again, with the same number
        check_in_by_code(reception, base, second.code)
        expect(reception.get_by_role("heading", name="Please confirm")).to_be_visible()
        assert_accessible(reception)
        reception.get_by_role("button", name="Yes, admit again").click()
        expect(reception.locator("#ticket-number")).to_have_text("B-002")

        # the colleague looks the resident up by name (today's visits of the team)
        two.goto(f"{base}/backoffice/queue/{team.pk}/")
        two.get_by_label("Surname").fill(second.surname)
        two.get_by_role("button", name="Find by name").click()
        expect(two.locator("#search-results")).to_contain_text("B-002")
        assert_accessible(two)

    second.refresh_from_db()
    assert second.status == Status.CHECKED_IN and second.call_count == 0
    assert Event.objects.filter(action="walk_in.beyond_contingent", actor=reception_user).exists()
    assert Event.objects.filter(action="personal_data.viewed", actor=colleague).exists()
