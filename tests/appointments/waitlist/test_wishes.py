"""Wishes: double opt-in, one open wish per person and mailbox, preferences, renewal and lapse."""

import datetime as dt
from urllib.parse import unquote

import pytest
from django.utils import timezone

from appointments import retention
from appointments.errors import LimitReached, WishExists, WishNotChangeable, WishNotFound
from appointments.models import Event, OutboxMessage, UrgencyReason, Wish, WishState
from appointments.waitlist import wishes
from tests.factories import appointment, bookable_slot, person

pytestmark = pytest.mark.django_db


def register(service, n=0, **options):
    return wishes.register_wish(
        service=service, person=person(n, email=f"w{n}@example.test"), **options
    )


def test_a_wish_waits_only_after_the_mailed_link_confirms_it():
    service, team, _slot = bookable_slot()
    wish, token = register(service, urgency_reason=UrgencyReason.TRAVEL)
    assert (wish.state, wish.team) == (WishState.PENDING, team)
    mail = OutboxMessage.objects.get(kind="wish_verification")
    assert f"/warteliste/bestaetigen/?t={token}" in mail.text_body
    assert token not in wish.token_hash
    confirmed = wishes.confirm_wish(token=token)
    assert confirmed.state == WishState.ACTIVE and confirmed.lottery_seed
    assert confirmed.expires_at == confirmed.verified_at + dt.timedelta(days=90)
    # opening the link again changes nothing
    assert wishes.confirm_wish(token=token).lottery_ticket == confirmed.lottery_ticket
    assert Event.objects.filter(action="wish.active").count() == 1


def test_an_unconfirmed_wish_lapses_and_its_link_then_says_so():
    service, _team, _slot = bookable_slot()
    wish, token = register(service)
    later = timezone.now() + dt.timedelta(hours=25)
    with pytest.raises(WishNotChangeable):
        wishes.confirm_wish(token=token, now=later)
    assert wishes.expire_wishes(now=later) == (1, 0)
    assert Wish.objects.get(pk=wish.pk).state == WishState.EXPIRED


def test_one_open_wish_per_person_and_per_mailbox():
    service, _team, _slot = bookable_slot()
    register(service)
    with pytest.raises(WishExists):
        wishes.register_wish(service=service, person=person(0, email="other@example.test"))
    with pytest.raises(WishExists):
        wishes.register_wish(service=service, person=person(5, email="w0@example.test"))
    assert Wish.objects.count() == 1


def test_someone_with_an_appointment_for_the_concern_cannot_wait_for_another():
    service, _team, slot = bookable_slot()
    appointment(service=service, slot=slot)
    with pytest.raises(LimitReached):
        wishes.register_wish(service=service, person=person(0, email="new@example.test"))


def test_a_bad_date_range_is_refused_and_nothing_is_stored():
    service, _team, _slot = bookable_slot()
    today = timezone.localdate()
    bad = wishes.Preferences(earliest_date=today + dt.timedelta(days=9), latest_date=today)
    with pytest.raises(wishes.InvalidPreferences):
        register(service, preferences=bad)
    assert not Wish.objects.exists()


def test_preferences_change_and_keep_the_rank():
    service, _team, _slot = bookable_slot()
    wish, token = register(service)
    wishes.confirm_wish(token=token)
    changed = wishes.change_preferences(
        wish_id=wish.pk, preferences=wishes.Preferences(weekdays="13", day_part="morning")
    )
    assert (changed.weekdays, changed.day_part) == ("13", "morning")
    assert changed.registered_at == wish.registered_at


def test_renewal_reminder_then_one_click_keeps_the_wish():
    service, _team, _slot = bookable_slot()
    _wish, token = register(service)
    wishes.confirm_wish(token=token)
    soon = timezone.now() + dt.timedelta(days=84)
    assert wishes.expire_wishes(now=soon) == (0, 1)
    assert wishes.expire_wishes(now=soon) == (0, 0)  # once
    mail = OutboxMessage.objects.get(kind="wish_renewal")
    signed = unquote(mail.text_body.split("/warteliste/verlaengern/?s=")[1].split()[0])
    renewed = wishes.renew_by_link(signed=signed, now=soon)
    assert renewed.expires_at == soon + dt.timedelta(days=90)
    assert wishes.expire_wishes(now=soon + dt.timedelta(days=10)) == (0, 0)
    with pytest.raises(WishNotFound):
        wishes.renew_by_link(signed=signed + "x")


def test_a_wish_not_renewed_expires():
    service, _team, _slot = bookable_slot()
    wish, token = register(service)
    wishes.confirm_wish(token=token)
    assert wishes.expire_wishes(now=timezone.now() + dt.timedelta(days=91))[0] == 1
    assert Wish.objects.get(pk=wish.pk).state == WishState.EXPIRED


def test_a_withdrawn_wish_cannot_be_changed_or_withdrawn_again():
    service, _team, _slot = bookable_slot()
    wish, _token = register(service)
    wishes.withdraw_wish(wish_id=wish.pk)
    with pytest.raises(WishNotChangeable):
        wishes.withdraw_wish(wish_id=wish.pk)
    with pytest.raises(WishNotChangeable):
        wishes.change_preferences(wish_id=wish.pk, preferences=wishes.Preferences())
    # the person may register again
    register(service)


def test_an_ended_wish_is_pseudonymised_after_its_retention_period():
    service, _team, _slot = bookable_slot()
    wish, token = register(service)
    waiting, _ = register(service, 1)
    wishes.withdraw_wish(wish_id=wish.pk)
    later = timezone.now() + dt.timedelta(days=91)
    assert retention.due_counts(now=later)["wishes"] == 1
    assert retention.apply_retention(now=later)["wishes"] == 1
    gone = Wish.objects.get(pk=wish.pk)
    assert (gone.surname, gone.email, gone.permit_expires_on) == ("", "", None)
    assert gone.pseudonymised_at == later and gone.state == WishState.WITHDRAWN
    with pytest.raises(WishNotFound):
        wishes.find_wish(token=token)
    assert Wish.objects.get(pk=waiting.pk).surname  # an open wish keeps its data
    assert retention.apply_retention(now=later)["wishes"] == 0
