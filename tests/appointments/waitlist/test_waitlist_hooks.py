"""Where places free, the allocator is asked (after the commit): capacity added, a closure
lifted; and offer_free_places offers the free released places of the waiting wishes' teams."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments import capacity
from appointments.models import Contingent, Offer, OpeningRule, Slot
from appointments.waitlist import allocation, wishes
from tests.factories import bookable_slot, person, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr("appointments.background.enqueue", lambda *args: calls.append(args))
    return calls


def test_capacity_added_asks_the_allocator_for_the_team(sent, django_capture_on_commit_callbacks):
    _service, team, slot = bookable_slot()
    with django_capture_on_commit_callbacks(execute=True):
        capacity.rule_saved(
            rule=OpeningRule.objects.get(pk=slot.rule_id), created=False, actor=staff()
        )
    assert ("appointments.tasks.offer_free_places", team.pk) in sent


def test_a_lifted_closure_asks_the_allocator(sent, django_capture_on_commit_callbacks):
    _service, team, slot = bookable_slot()
    clerk = staff()
    closure, _cancelled = capacity.create_closure(
        team=team, start=slot.start, end=slot.end, reason="Umzug", actor=clerk
    )
    with django_capture_on_commit_callbacks(execute=True):
        capacity.delete_closure(closure_id=closure.pk, actor=clerk)
    assert ("appointments.tasks.offer_free_places", team.pk) in sent


def test_offer_free_places_offers_the_free_released_places_to_waiting_wishes():
    service, team, slot = bookable_slot(capacity=1)
    later = Slot.objects.create(
        team=team,
        rule=slot.rule,
        start=slot.start + dt.timedelta(days=7),
        end=slot.end + dt.timedelta(days=7),
        contingent=Contingent.ONLINE,
        capacity=1,
    )
    for n in range(3):
        _wish, token = wishes.register_wish(
            service=service, person=person(n, surname=f"Frei{n}", email=f"f{n}@example.test")
        )
        wishes.confirm_wish(token=token)
    assert allocation.offer_free_places(team_id=team.pk) == 2
    assert set(Offer.objects.values_list("slot_id", flat=True)) == {slot.pk, later.pk}
    assert allocation.offer_free_places(team_id=team.pk) == 0


def test_nobody_waiting_changes_nothing():
    _service, team, _slot = bookable_slot(capacity=1)
    assert allocation.offer_free_places(team_id=team.pk) == 0
    assert allocation.offer_free_places(now=timezone.now()) == 0
