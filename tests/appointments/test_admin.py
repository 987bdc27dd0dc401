"""The Django admin of the domain: every list opens, the responsibility rules of a service are
refused with a clear message when they overlap or leave gaps, and capacity (opening rules,
closures, counters) changes only through appointments.capacity, as on the capacity screen."""

import datetime as dt
import re
from collections import Counter as Tally

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appointments import booking, capacity
from appointments.availability import local_datetime
from appointments.errors import CounterExists
from appointments.models import (
    Appointment,
    CancellationReason,
    Closure,
    Contingent,
    Counter,
    Event,
    Invitation,
    InvitationBatch,
    OpeningRule,
    OutboxMessage,
    ResponsibilityRule,
    Slot,
    Status,
)
from appointments.scheduling import generate_slots
from tests.factories import ServiceFactory, TeamFactory, bookable_slot, person, rule_for

pytestmark = pytest.mark.django_db

MODELS = [
    "service",
    "team",
    "openingrule",
    "closure",
    "slot",
    "appointment",
    "case",
    "event",
    "outboxmessage",
    "invitationbatch",
    "invitation",
    "invitationwindow",
    "wish",
    "offer",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_admin_list_opens_with_filters_and_search(admin_client, model):
    from appointments import booking

    service, _team, slot = bookable_slot()
    booking.book(service=service, slot_id=slot.pk, person=person(1), channel="staff")
    url = reverse(f"admin:appointments_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "Muster"}).status_code == 200


def _service_form(service, rules):
    data = {
        "name": service.name,
        "slug": service.slug,
        "active": "on",
        "sort_order": 1,
        "duration_minutes": 20,
        "name_translations": "{}",
        "description": "",
        "description_translations": "{}",
        "documents": '[{"de": "Pass"}]',
        "bookable_online": "on",
        "offline_hint": "",
        "offline_hint_translations": "{}",
        "booking_window_min_days": 1,
        "booking_window_max_days": 28,
        "release_time": "07:00",
        "party_mode": "places",  # group bookings: one place per person
        "follow_up_service": "",
        "responsibility_rules-TOTAL_FORMS": len(rules),
        "responsibility_rules-INITIAL_FORMS": 0,
        "responsibility_rules-MIN_NUM_FORMS": 0,
        "responsibility_rules-MAX_NUM_FORMS": 1000,
    }
    for i, (first, last, nationalities, team) in enumerate(rules):
        data[f"responsibility_rules-{i}-letter_from"] = first
        data[f"responsibility_rules-{i}-letter_to"] = last
        data[f"responsibility_rules-{i}-nationalities"] = nationalities
        data[f"responsibility_rules-{i}-team"] = team.pk
    return data


def test_overlapping_and_missing_letters_are_refused_with_a_clear_message(admin_client):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    service, one, two = ServiceFactory(), TeamFactory(), TeamFactory()
    url = reverse("admin:appointments_service_change", args=[service.pk])
    overlap = admin_client.post(
        url, _service_form(service, [("A", "K", [], one), ("H", "Z", [], two)])
    )
    assert "overlap in H, I, J, K" in overlap.content.decode()
    gap = admin_client.post(url, _service_form(service, [("A", "K", [], one), ("M", "Z", [], two)]))
    assert "surnames starting with L" in gap.content.decode()
    assert not ResponsibilityRule.objects.exists()
    fine = admin_client.post(
        url,
        _service_form(service, [("A", "K", [], one), ("L", "Z", [], two), ("", "", ["UA"], two)]),
    )
    assert fine.status_code == 302
    assert ResponsibilityRule.objects.filter(service=service).count() == 3


def test_appointments_cannot_be_edited_or_deleted_in_the_admin(admin_client):
    from appointments import booking

    service, _team, slot = bookable_slot()
    appointment, _ = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="staff"
    )
    change = admin_client.get(
        reverse("admin:appointments_appointment_change", args=[appointment.pk])
    )
    assert 'name="surname"' not in change.content.decode()  # read-only: anti-trading
    delete = admin_client.get(
        reverse("admin:appointments_appointment_delete", args=[appointment.pk])
    )
    assert delete.status_code == 403


# --- One way in: capacity changes in the admin go through appointments.capacity -----------


def _booked(slot, service, n=1, channel="staff"):
    appointment, _token = booking.book(
        service=service, slot_id=slot.pk, person=person(n), channel=channel
    )
    return appointment


def _closure_form(slot, **overrides):
    day = timezone.localdate(slot.start)
    data = {
        "team": slot.team_id,
        "start_0": day.isoformat(),
        "start_1": "00:00:00",
        "end_0": (day + dt.timedelta(days=1)).isoformat(),
        "end_1": "00:00:00",
        "reason": "Staff meeting",
    }
    data.update(overrides)
    return data


def _new_events(before):
    return Event.objects.filter(pk__gt=before).order_by("pk")


def _last_event_id():
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_a_closure_added_in_the_admin_cancels_notifies_and_logs(admin_client, admin_user):
    service, team, slot = bookable_slot(days_ahead=5)
    appointment = _booked(slot, service)
    other_service, _other_team, other_slot = bookable_slot(days_ahead=5)
    elsewhere = _booked(other_slot, other_service, 7)

    response = admin_client.post(reverse("admin:appointments_closure_add"), _closure_form(slot))

    assert response.status_code == 302
    closure = Closure.objects.get()
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert appointment.cancellation_reason == CancellationReason.CLOSURE
    assert OutboxMessage.objects.filter(appointment=appointment, kind="cancellation").count() == 1
    slot.refresh_from_db()
    assert slot.closed
    elsewhere.refresh_from_db()
    assert elsewhere.status == Status.BOOKED
    event = Event.objects.get(action="closure.created")
    assert event.actor == admin_user
    assert event.data["closure"] == closure.pk and event.data["team"] == team.pk


def _supervisor_client(django_user_model):
    user = django_user_model.objects.create_user("teamleitung", password="x" * 12)
    user.groups.add(Group.objects.get(name="supervisor"))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _close_on_the_capacity_screen(client, slot):
    url = "/backoffice/manage/closures/new/"
    day = timezone.localdate(slot.start)
    data = {
        "team": slot.team_id,
        "start": f"{day.isoformat()}T00:00",
        "end": f"{(day + dt.timedelta(days=1)).isoformat()}T00:00",
        "reason": "Staff meeting",
    }
    preview = client.post(url, {**data, "action": "preview"})
    checksum = re.search(r'name="checksum" value="(\w+)"', preview.content.decode()).group(1)
    return client.post(url, {**data, "action": "confirm", "checksum": checksum})


def _outcome(appointments, before):
    """What a closure did to `appointments`: their states, the mails written, the events."""
    ids = [a.pk for a in appointments]
    return {
        "statuses": sorted(
            Appointment.objects.filter(pk__in=ids).values_list("status", "cancellation_reason")
        ),
        "mails": Tally(
            OutboxMessage.objects.filter(appointment__in=ids).values_list("kind", flat=True)
        ),
        "events": [event.action for event in _new_events(before)],
    }


def test_a_closure_in_the_admin_cancels_and_notifies_exactly_as_the_capacity_screen(
    admin_client, django_user_model
):
    def scenario():
        service, _team, slot = bookable_slot(days_ahead=5)
        booked = [_booked(slot, service, 1), _booked(slot, service, 2)]
        held = _booked(slot, service, 3, channel="online")
        return slot, [*booked, held]

    screen_slot, screen_appointments = scenario()
    admin_slot, admin_appointments = scenario()
    supervisor = _supervisor_client(django_user_model)

    before = _last_event_id()
    assert _close_on_the_capacity_screen(supervisor, screen_slot).status_code == 302
    by_screen = _outcome(screen_appointments, before)
    before = _last_event_id()
    response = admin_client.post(
        reverse("admin:appointments_closure_add"), _closure_form(admin_slot)
    )
    assert response.status_code == 302
    by_admin = _outcome(admin_appointments, before)

    assert by_admin == by_screen
    assert by_admin["mails"]["cancellation"] == 3  # held ones are told as well
    assert "closure.created" in by_admin["events"]


def _closed_day(team, service):
    day = timezone.localdate() + dt.timedelta(days=7)
    rule_for(team, [service], weekday=day.weekday())
    start = local_datetime(day, dt.time.min)
    closure = Closure.objects.create(
        team=team, start=start, end=start + dt.timedelta(days=1), reason="Training"
    )
    generate_slots()
    assert not Slot.objects.filter(team=team, start__gte=start, start__lt=closure.end).exists()
    return closure


def test_deleting_a_closure_in_the_admin_reopens_its_slots_and_logs(admin_client, admin_user):
    team, service = TeamFactory(), ServiceFactory()
    closure = _closed_day(team, service)

    response = admin_client.post(
        reverse("admin:appointments_closure_delete", args=[closure.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Closure.objects.exists()
    assert Slot.objects.filter(team=team, start__gte=closure.start, start__lt=closure.end).exists()
    event = Event.objects.get(action="closure.deleted")
    assert event.actor == admin_user and event.data["closure"] == closure.pk


def test_a_bulk_delete_of_closures_in_the_admin_goes_through_the_domain(admin_client):
    team, service = TeamFactory(), ServiceFactory()
    closure = _closed_day(team, service)

    response = admin_client.post(
        reverse("admin:appointments_closure_changelist"),
        {"action": "delete_selected", "_selected_action": [closure.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Closure.objects.exists()
    assert Slot.objects.filter(team=team, start__gte=closure.start, start__lt=closure.end).exists()
    assert Event.objects.filter(action="closure.deleted").count() == 1


def test_changing_a_closure_in_the_admin_replaces_it_in_one_go(admin_client, admin_user):
    service, team, slot = bookable_slot(days_ahead=5)
    later = Slot.objects.create(
        team=team,
        rule=slot.rule,
        start=slot.start + dt.timedelta(days=7),
        end=slot.end + dt.timedelta(days=7),
        contingent=slot.contingent,
        capacity=slot.capacity,
    )
    appointment = _booked(later, service)
    day = timezone.localdate(slot.start)
    closure = capacity.create_closure(
        team=team,
        start=local_datetime(day, dt.time.min),
        end=local_datetime(day + dt.timedelta(days=1), dt.time.min),
        reason="Training",
        actor=admin_user,
    )[0]
    before = _last_event_id()

    response = admin_client.post(
        reverse("admin:appointments_closure_change", args=[closure.pk]),
        _closure_form(later, reason="Training moved"),
    )

    assert response.status_code == 302
    moved = Closure.objects.get()
    assert moved.reason == "Training moved"
    assert timezone.localdate(moved.start) == timezone.localdate(later.start)
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert OutboxMessage.objects.filter(appointment=appointment, kind="cancellation").exists()
    reopened = Slot.objects.filter(team=team, start=slot.start)  # made anew by the rule
    assert reopened.exists() and not reopened.filter(closed=True).exists()
    closure_events = _new_events(before).filter(action__startswith="closure.")
    assert [event.action for event in closure_events] == ["closure.deleted", "closure.created"]
    assert {event.actor for event in closure_events} == {admin_user}


def test_a_closure_that_has_ended_is_read_only_in_the_admin(admin_client):
    team = TeamFactory()
    now = timezone.now()
    closure = Closure.objects.create(
        team=team, start=now - dt.timedelta(days=2), end=now - dt.timedelta(days=1), reason="Old"
    )
    change = admin_client.get(reverse("admin:appointments_closure_change", args=[closure.pk]))
    assert change.status_code == 200
    assert 'name="reason"' not in change.content.decode()
    delete = admin_client.post(
        reverse("admin:appointments_closure_delete", args=[closure.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Closure.objects.filter(pk=closure.pk).exists()


def test_a_bulk_delete_with_an_ended_closure_deletes_nothing(admin_client):
    team, service = TeamFactory(), ServiceFactory()
    coming = _closed_day(team, service)
    now = timezone.now()
    ended = Closure.objects.create(
        team=team, start=now - dt.timedelta(days=2), end=now - dt.timedelta(days=1), reason="Old"
    )
    selected = {"action": "delete_selected", "_selected_action": [coming.pk, ended.pk]}
    url = reverse("admin:appointments_closure_changelist")

    confirmation = admin_client.post(url, selected)
    assert confirmation.status_code == 200
    assert 'name="post"' not in confirmation.content.decode()  # nothing to confirm
    assert admin_client.post(url, {**selected, "post": "yes"}).status_code == 403
    assert Closure.objects.count() == 2
    assert not Event.objects.filter(action="closure.deleted").exists()


def _rule_form(team, service, **overrides):
    data = {
        "team": team.pk,
        "services": [service.pk],
        "weekday": "0",
        "start_time": "08:00",
        "end_time": "09:00",
        "slot_minutes": "20",
        "capacity": "3",
        "online_capacity": "2",
        "valid_from": "2020-01-01",
        "valid_until": "",
    }
    data.update(overrides)
    return data


def test_an_opening_rule_saved_in_the_admin_regenerates_slots_and_logs(admin_client, admin_user):
    team, service = TeamFactory(), ServiceFactory()

    added = admin_client.post(
        reverse("admin:appointments_openingrule_add"), _rule_form(team, service)
    )

    assert added.status_code == 302
    rule = OpeningRule.objects.get()
    assert list(rule.services.all()) == [service]
    assert Slot.objects.filter(rule=rule, contingent=Contingent.ONLINE, capacity=2).exists()
    event = Event.objects.get(action="opening_rule.created")
    assert event.actor == admin_user and event.data["rule"] == rule.pk

    changed = admin_client.post(
        reverse("admin:appointments_openingrule_change", args=[rule.pk]),
        _rule_form(team, service, capacity="4", online_capacity="3"),
    )

    assert changed.status_code == 302
    assert set(
        Slot.objects.filter(rule=rule, contingent=Contingent.ONLINE).values_list(
            "capacity", flat=True
        )
    ) == {3}
    assert Event.objects.get(action="opening_rule.changed").actor == admin_user


def test_deleting_an_opening_rule_in_the_admin_removes_its_slots_and_logs(admin_client):
    team, service = TeamFactory(), ServiceFactory()
    rule = rule_for(team, [service])
    generate_slots()
    assert Slot.objects.filter(rule=rule).exists()

    response = admin_client.post(
        reverse("admin:appointments_openingrule_delete", args=[rule.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Slot.objects.filter(team=team).exists()
    assert Event.objects.get(action="opening_rule.deleted").data["rule"] == rule.pk


def test_a_bulk_delete_of_opening_rules_cannot_bypass_the_domain(admin_client, admin_user):
    team, service = TeamFactory(), ServiceFactory()
    rules = [rule_for(team, [service], weekday=day) for day in (0, 1)]
    generate_slots()
    assert Slot.objects.filter(team=team).exists()

    response = admin_client.post(
        reverse("admin:appointments_openingrule_changelist"),
        {"action": "delete_selected", "_selected_action": [r.pk for r in rules], "post": "yes"},
    )

    assert response.status_code == 302
    assert not OpeningRule.objects.exists()
    assert not Slot.objects.filter(team=team).exists()  # unbooked future slots go with them
    deleted = Event.objects.filter(action="opening_rule.deleted")
    assert sorted(e.data["rule"] for e in deleted) == sorted(r.pk for r in rules)
    assert {e.actor for e in deleted} == {admin_user}


def test_slots_are_read_only_in_the_admin(admin_client):
    _service, _team, slot = bookable_slot()
    change_url = reverse("admin:appointments_slot_change", args=[slot.pk])

    page = admin_client.get(change_url).content.decode()
    assert 'name="capacity"' not in page and 'name="closed"' not in page
    admin_client.post(change_url, {"capacity": 1, "closed": "on"})
    slot.refresh_from_db()
    assert slot.capacity == 3 and not slot.closed
    assert admin_client.get(reverse("admin:appointments_slot_add")).status_code == 403
    delete = admin_client.post(
        reverse("admin:appointments_slot_delete", args=[slot.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Slot.objects.filter(pk=slot.pk).exists()


def _team_form(team, counters=(), rules=()):
    data = {
        "name": team.name,
        "waiting_prefix": team.waiting_prefix,
        "location": team.location,
        "walk_in_daily_limit": team.walk_in_daily_limit,
        "active": "on",
        "counters-TOTAL_FORMS": len(counters),
        "counters-INITIAL_FORMS": sum(1 for c in counters if c.get("id")),
        "counters-MIN_NUM_FORMS": 0,
        "counters-MAX_NUM_FORMS": 1000,
        "opening_rules-TOTAL_FORMS": len(rules),
        "opening_rules-INITIAL_FORMS": sum(1 for r in rules if r.get("id")),
        "opening_rules-MIN_NUM_FORMS": 0,
        "opening_rules-MAX_NUM_FORMS": 1000,
    }
    for prefix, forms in (("counters", counters), ("opening_rules", rules)):
        for i, form in enumerate(forms):
            for key, value in form.items():
                data[f"{prefix}-{i}-{key}"] = value
    return data


def test_counters_saved_in_the_team_admin_are_logged(admin_client, admin_user):
    team = TeamFactory()
    url = reverse("admin:appointments_team_change", args=[team.pk])

    added = admin_client.post(url, _team_form(team, counters=[{"number": "12", "active": "on"}]))

    assert added.status_code == 302
    counter = Counter.objects.get(team=team)
    assert counter.number == "12" and counter.active
    event = Event.objects.get(action="counter.created")
    assert event.actor == admin_user and event.data["counter"] == counter.pk

    renamed = admin_client.post(
        url,
        _team_form(team, counters=[{"id": counter.pk, "team": team.pk, "number": "12a"}]),
    )

    assert renamed.status_code == 302
    counter.refresh_from_db()
    assert counter.number == "12a" and not counter.active
    assert Event.objects.get(action="counter.changed").data["active"] is False


def test_opening_rules_saved_in_the_team_admin_regenerate_slots_and_log(admin_client):
    team, service = TeamFactory(), ServiceFactory()
    old = rule_for(team, [service], weekday=1)
    generate_slots()
    url = reverse("admin:appointments_team_change", args=[team.pk])
    new_rule = _rule_form(team, service)
    del new_rule["team"]
    old_rule = {**_rule_form(team, service, weekday="1"), "id": old.pk, "DELETE": "on"}

    response = admin_client.post(url, _team_form(team, rules=[old_rule, new_rule]))

    assert response.status_code == 302
    rule = OpeningRule.objects.get(team=team)
    assert rule.weekday == 0
    assert not Slot.objects.filter(rule=old.pk).exists()
    assert Slot.objects.filter(rule=rule).exists()
    assert set(Event.objects.values_list("action", flat=True)) >= {
        "opening_rule.deleted",
        "opening_rule.created",
    }


def test_a_domain_error_in_the_admin_is_a_message_not_a_server_error(admin_client, monkeypatch):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    team = TeamFactory()

    def taken(**_kwargs):
        raise CounterExists()

    monkeypatch.setattr(capacity, "save_counter", taken)
    response = admin_client.post(
        reverse("admin:appointments_team_change", args=[team.pk]),
        _team_form(team, counters=[{"number": "12", "active": "on"}]),
        follow=True,
    )

    assert response.status_code == 200
    assert "This team already has a counter with this name." in response.content.decode()
    assert not Counter.objects.exists()


def _written_by_the_domain():
    service, _team, slot = bookable_slot()
    appointment = _booked(slot, service)
    batch = InvitationBatch.objects.create(source_name="ablauf.csv")
    invitation = Invitation.objects.create(
        batch=batch,
        row_number=1,
        file_number="AZ-1",
        email="erika@example.test",
        surname="Muster",
        given_names="Erika",
        date_of_birth=dt.date(1990, 1, 1),
        nationality="TR",
        expiry_date=dt.date(2027, 1, 1),
        service=service,
    )
    return {
        "case": appointment.case,
        "event": Event.objects.filter(appointment=appointment).first(),
        "outboxmessage": OutboxMessage.objects.filter(appointment=appointment).first(),
        "invitation": invitation,
        "invitationbatch": batch,
    }


@pytest.mark.parametrize(
    "model", ["case", "event", "outboxmessage", "invitation", "invitationbatch"]
)
def test_rows_the_domain_writes_cannot_be_deleted_in_the_admin(admin_client, model):
    row = _written_by_the_domain()[model]

    response = admin_client.post(
        reverse(f"admin:appointments_{model}_delete", args=[row.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert type(row).objects.filter(pk=row.pk).exists()


def test_cases_are_read_only_in_the_admin(admin_client):
    case = _written_by_the_domain()["case"]
    page = admin_client.get(reverse("admin:appointments_case_change", args=[case.pk]))
    assert page.status_code == 200
    assert 'name="completed_at' not in page.content.decode()


def test_a_closure_that_has_ended_is_not_replaced(admin_user):
    team = TeamFactory()
    now = timezone.now()
    ended = Closure.objects.create(
        team=team, start=now - dt.timedelta(days=2), end=now - dt.timedelta(days=1), reason="Old"
    )

    with pytest.raises(Closure.DoesNotExist):
        capacity.change_closure(
            closure_id=ended.pk,
            team=team,
            start=now + dt.timedelta(days=1),
            end=now + dt.timedelta(days=2),
            reason="New",
            actor=admin_user,
        )

    assert list(Closure.objects.values_list("reason", flat=True)) == ["Old"]
    assert not Event.objects.filter(action__startswith="closure.").exists()
