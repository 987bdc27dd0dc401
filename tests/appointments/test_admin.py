"""The Django admin of the domain: every list opens, and the responsibility rules of a service
are refused with a clear message when they overlap or leave gaps."""

import pytest
from django.urls import reverse

from appointments.models import ResponsibilityRule
from tests.factories import ServiceFactory, TeamFactory, bookable_slot, person

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
