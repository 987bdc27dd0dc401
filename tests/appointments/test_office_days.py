"""Heiligabend and Silvester: closed days (or half days) of the office beyond the public
holidays (OFFICE_EXTRA_CLOSED_DAYS, OFFICE_HALF_DAYS): no slots, no invitations."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments import capacity
from appointments.availability import office_closed
from appointments.invitations import allocation
from appointments.models import Appointment, InvitationState, Slot
from appointments.scheduling import generate_slots
from tests.factories import imported_batch, open_office

pytestmark = pytest.mark.django_db

CHRISTMAS_EVE = dt.date(2026, 12, 24)  # a Thursday
NEW_YEARS_EVE = dt.date(2026, 12, 31)  # a Thursday
# Expiry 28 Jan 2027: the default window (6 to 4 weeks before) is 17–31 December 2026.
EXPIRY = "28.01.2027"


def _days_with_slots():
    return {timezone.localdate(slot.start) for slot in Slot.objects.filter(closed=False)}


@pytest.mark.clock("2026-12-01 07:00", tick=False)
def test_christmas_and_new_years_eve_are_closed_days_by_default():
    assert office_closed(CHRISTMAS_EVE) == "Heiligabend"
    assert office_closed(NEW_YEARS_EVE) == "Silvester"
    assert office_closed(dt.date(2026, 12, 23)) is None
    open_office(days=40)
    days = _days_with_slots()
    assert dt.date(2026, 12, 23) in days
    assert CHRISTMAS_EVE not in days and NEW_YEARS_EVE not in days


@pytest.mark.clock("2026-12-01 07:00", tick=False)
def test_the_closed_days_are_a_policy_knob_and_half_days_end_early(settings):
    settings.OFFICE_EXTRA_CLOSED_DAYS = ["12-31"]
    settings.OFFICE_HALF_DAYS = {"12-24": "09:00"}
    office = open_office(days=40, start="08:00", end="12:00", slot_minutes=30)
    eve = Slot.objects.filter(team=office.team, start__date=CHRISTMAS_EVE)
    assert {timezone.localtime(s.start).time() for s in eve} == {dt.time(8), dt.time(8, 30)}
    assert NEW_YEARS_EVE not in _days_with_slots()


@pytest.mark.clock("2026-12-01 07:00", tick=False)
def test_the_rule_preview_names_the_closed_day():
    office = open_office(days=40, weekdays=[3])
    rule = office.team.opening_rules.get()
    preview = capacity.preview_rule(rule=rule, days=40)
    eve = next(entry for entry in preview if entry.day == CHRISTMAS_EVE)
    assert eve.holiday == "Heiligabend" and not eve.slots


@pytest.mark.clock("2026-12-01 07:00", tick=False)
def test_invitations_are_never_allocated_on_a_closed_day(settings):
    # Slots made while the days were still open (e.g. before the knob was set) stay in the
    # table; allocation must skip them all the same.
    settings.OFFICE_EXTRA_CLOSED_DAYS = []
    open_office(days=40)
    assert CHRISTMAS_EVE in _days_with_slots()
    settings.OFFICE_EXTRA_CLOSED_DAYS = ["12-24", "12-31"]
    batch = imported_batch(40, now=timezone.now(), Nachname="Aydin", Ablaufdatum=EXPIRY)
    counts = allocation.allocate_batch(batch_id=batch.pk)
    assert counts.get(InvitationState.ALLOCATED)
    days = {timezone.localdate(a.slot.start) for a in Appointment.objects.select_related("slot")}
    assert days and days <= {d for d in days if office_closed(d) is None}
    assert CHRISTMAS_EVE not in days and NEW_YEARS_EVE not in days


@pytest.mark.clock("2026-12-01 07:00", tick=False)
def test_regenerating_closes_slots_left_on_a_day_that_became_closed(settings):
    settings.OFFICE_EXTRA_CLOSED_DAYS = []
    open_office(days=40)
    settings.OFFICE_EXTRA_CLOSED_DAYS = ["12-24"]
    generate_slots(days=40)
    assert CHRISTMAS_EVE not in _days_with_slots()
