"""Issue 13's morning in real browsers: reception checks in (and prints the ticket), admits a
walk-in emergency beyond the day's places, two caseworkers call at once from their counters,
a recall waits for the interval, a no-show is undone at reception, a caseworker finds a
resident by name; axe-core finds no WCAG violation on any page visited.

The second test goes on: the card pickup booked in the first week with internal places, and a
change of opening hours that lists, cancels and notifies the resident booked in a vanishing slot.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from appointments import queue
from appointments.models import Appointment, Contingent, Counter, Event, OutboxMessage, Slot, Status
from appointments.scheduling import generate_slots
from caseworkers.roles import CASEWORKER
from tests.appointments.test_queue import at_hour, booked_today
from tests.browser.helpers import assert_accessible
from tests.browser.test_backoffice_flow import log_in
from tests.factories import (
    PASSWORD,
    ServiceFactory,
    bookable_slot,
    desk_of,
    route_all,
    rule_for,
    staff,
)
from tests.factories import appointment as book_appointment


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
        expect(reception.locator(".waiting-ticket .ticket-qr svg")).to_be_visible()
        expect(reception.locator(".waiting-ticket .ticket-wait svg")).to_be_visible()
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


@pytest.fixture
def later_that_morning(db, settings, supervisor_user):
    """A finished application whose card pickup has internal places in ten days, and a rule
    next Monday 08:00–10:00 with one resident booked at 09:00."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    pickup = ServiceFactory(slug="pickup", name="Abholung eAT")
    application = ServiceFactory(slug="extension", name="Verlängerung", follow_up_service=pickup)
    finished = booked_today(1, service=application)
    team = finished.slot.team
    route_all(pickup, team)
    _s, _t, internal = bookable_slot(
        service=pickup, team=team, days_ahead=10, contingent="internal"
    )
    with time_machine.travel(at_hour(9, 55), tick=False):
        queue.check_in(appointment_id=finished.pk)
        queue.call(appointment_id=finished.pk, counter=desk_of(finished.pk))
        queue.start_service(appointment_id=finished.pk)
        queue.finish(appointment_id=finished.pk, outcome="application_filed")
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    rule = rule_for(team, [application], weekday=0, start="08:00", end="10:00", online_capacity=3)
    generate_slots()
    nine = Slot.objects.get(
        rule=rule,
        contingent=Contingent.ONLINE,
        start=timezone.make_aware(dt.datetime.combine(monday, dt.time(9))),
    )
    stranded = book_appointment(service=application, slot=nine, n=7)
    return finished, internal, rule, stranded


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_morning_goes_on_with_a_follow_up_and_a_rule_change(
    live_server, browser, caseworker_user, supervisor_user, later_that_morning
):
    finished, internal, rule, stranded = later_that_morning
    base = live_server.url
    with time_machine.travel(at_hour(10, 5), tick=True):
        # the card pickup: the screen opens on the first week with internal places
        one = log_in(browser.new_context(locale="en-US"), base, caseworker_user.username)
        one.goto(f"{base}/backoffice/visits/{finished.pk}/")
        one.get_by_role("link", name=re.compile("Book follow-up")).click()
        assert_accessible(one)
        one.locator(f'button[name="slot"][value="{internal.pk}"]').click()
        expect(one.locator("#booked-follow-up")).to_be_visible()
        assert_accessible(one)

        # the supervisor shortens Monday's hours: the booked resident is listed, then notified
        lead = log_in(browser.new_context(locale="en-US"), base, supervisor_user.username)
        lead.goto(f"{base}/backoffice/manage/rules/{rule.pk}/")
        lead.fill("#id_end_time", "09:00")
        lead.get_by_role("button", name="Save", exact=True).click()
        expect(lead.locator("main")).to_contain_text(stranded.code)
        assert_accessible(lead)
        lead.get_by_role("button", name=re.compile("Save and cancel 1 appointment")).click()
        expect(lead.get_by_role("alert").first).to_be_visible()
        assert_accessible(lead)

    follow_up = finished.case.appointments.get(channel="follow_up")
    assert follow_up.slot_id == internal.pk and follow_up.status == Status.BOOKED
    stranded.refresh_from_db()
    assert stranded.status == Status.CANCELLED
    assert OutboxMessage.objects.filter(appointment=stranded, kind="cancellation").exists()
    sent = [message for message in mail.outbox if stranded.email in message.to]
    assert sent and "neu-buchen/?t=" in sent[-1].body
