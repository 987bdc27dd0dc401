"""The booking's guarded UPDATE is written out as SQL (places._bookable_update); the
invitations take places in bulk with the same conditions as ORM filters
(places.bookable_conditions). Both must take exactly the same slots."""

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from appointments import places
from appointments.models import Contingent, Slot
from appointments.sql import returning
from tests.appointments.waitlist.test_release_modes import RELEASED_DAY, allocation_service, at
from tests.factories import ServiceFactory, TeamFactory, bookable_slot

pytestmark = pytest.mark.django_db


def taken_by_sql(slot, contingents, service, team, online, now):
    """Whether the written-out UPDATE takes a place of `slot` (rolled back afterwards)."""
    with transaction.atomic():
        sql, params = places._bookable_update(slot.pk, contingents, service, team, online, now)
        taken = returning(Slot, sql, params)
        transaction.set_rollback(True)
    if taken:
        assert taken[0].pk == slot.pk and taken[0].booked == slot.booked + 1
        assert taken[0].start == slot.start  # read through the converters (SQLite: text)
    return bool(taken)


def taken_by_orm(slot, contingents, service, team, online, now):
    return (
        Slot.objects.filter(places.bookable_conditions(service, team, online, now))
        .filter(pk=slot.pk, contingent__in=contingents, closed=False, booked__lt=F("capacity"))
        .exists()
    )


def verdicts(slot, service, team, now):
    found = {}
    for online in (True, False):
        contingents = [Contingent.ONLINE] if online else [Contingent.ONLINE, Contingent.INTERNAL]
        args = (slot, contingents, service, team, online, now)
        found[online] = taken_by_sql(*args)
        assert found[online] == taken_by_orm(*args), (slot, online)
    return found


def test_both_forms_take_the_same_slots_whatever_keeps_a_slot_from_being_booked():
    now = timezone.now()
    service, team, free = bookable_slot(capacity=2)
    assert verdicts(free, service, team, now) == {True: True, False: True}

    _, _, internal = bookable_slot(service=service, team=team, contingent=Contingent.INTERNAL)
    assert verdicts(internal, service, team, now) == {True: False, False: True}

    full = bookable_slot(service=service, team=team, hour=11)[2]
    Slot.objects.filter(pk=full.pk).update(booked=F("capacity"))
    full.refresh_from_db()
    closed = bookable_slot(service=service, team=team, hour=12)[2]
    Slot.objects.filter(pk=closed.pk).update(closed=True)
    elsewhere = bookable_slot(service=service, team=TeamFactory(), hour=13)[2]
    other_service = bookable_slot(service=ServiceFactory(), team=team, hour=14)[2]
    begun = bookable_slot(service=service, team=team, start=now + dt.timedelta(minutes=5))[2]
    far = bookable_slot(service=service, team=team, days_ahead=service.booking_window_max_days + 5)
    for slot in (full, closed, elsewhere, other_service):
        assert verdicts(slot, service, team, now) == {True: False, False: False}
    assert verdicts(begun, service, team, now + dt.timedelta(minutes=6)) == {
        True: False,
        False: False,
    }
    # beyond the booking window: staff may still book it, residents not yet
    assert verdicts(far[2], service, team, now) == {True: False, False: True}


def test_both_forms_keep_a_day_withheld_for_the_waitlist_from_residents_only(clock):
    service, team, slot = allocation_service(capacity=2)
    clock.move_to(at(dt.date(2026, 11, 11), 7, 5))  # the day is released, to the waitlist first
    assert RELEASED_DAY in places.withheld_days(service, team, now=timezone.now())
    assert verdicts(slot, service, team, timezone.now()) == {True: False, False: True}
