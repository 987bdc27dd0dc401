"""A team's floor, room and building in the resident's language (German when not translated),
on pages, in mails and in the calendar file; the admin edits the translations."""

import datetime as dt

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from appointments.documents import ics_bytes
from appointments.models import Team
from appointments.notifications.messages import render_message
from tests.factories import appointment, bookable_slot

pytestmark = pytest.mark.django_db

AT = timezone.make_aware(dt.datetime(2026, 12, 3, 9, 0))
GERMAN = "Gebäude B, 2. Stock, Raum 204"
TRANSLATED = {
    "en": "Building B, 2nd floor, room 204",
    "ar": "المبنى ب، الطابق الثاني، الغرفة 204",
    "ru": "Корпус B, 2-й этаж, кабинет 204",
}


@pytest.fixture
def booked():
    service, team, slot = bookable_slot(start=AT)
    Team.objects.filter(pk=team.pk).update(location=GERMAN, location_translations=TRANSLATED)
    return appointment(service=service, slot=slot, n=1)


def _event(made, language):
    made.language = language
    return Calendar.from_ical(ics_bytes(made)).walk("VEVENT")[0]


@pytest.mark.clock("2026-11-30 10:00", tick=False)
@pytest.mark.parametrize("language", ["en", "ar", "ru"])
def test_the_calendar_file_names_the_room_in_the_residents_language(booked, language):
    event = _event(booked, language)
    assert TRANSLATED[language] in str(event["LOCATION"])
    assert TRANSLATED[language] in str(event["DESCRIPTION"])
    assert GERMAN not in str(event["LOCATION"])


@pytest.mark.clock("2026-11-30 10:00", tick=False)
def test_a_language_without_translation_shows_the_german_location(booked):
    event = _event(booked, "tr")
    assert GERMAN in str(event["LOCATION"])
    assert "3 Aralık 2026 Perşembe, 09:00" in str(event["DESCRIPTION"])


@pytest.mark.clock("2026-11-30 10:00", tick=False)
def test_the_confirmation_mail_names_the_translated_room(booked):
    booked.language = "en"
    _subject, text, html = render_message("confirmation", booked)
    assert TRANSLATED["en"] in text and TRANSLATED["en"] in html
    with translation.override("de"):
        assert booked.slot.team.localized_location == GERMAN


def _admin_form(admin_user, **values):
    model_admin = admin.site._registry[Team]
    request = RequestFactory().post("/")
    request.user = admin_user
    team, _created = Team.objects.get_or_create(name="Sachgebiet X", waiting_prefix="XX")
    form_class = model_admin.get_form(request, team, change=True)
    data = {
        "name": team.name,
        "waiting_prefix": "XX",
        "location": GERMAN,
        "walk_in_daily_limit": 10,
        "active": "on",
        **values,
    }
    return form_class(data, instance=team)


def test_the_admin_edits_the_translations_and_refuses_unknown_languages(admin_user, admin_client):
    form = _admin_form(admin_user, location_translations='{"en": "Room 204"}')
    assert form.is_valid(), form.errors
    assert form.save().location_translations == {"en": "Room 204"}
    with translation.override("en"):
        bad = _admin_form(admin_user, location_translations='{"xx": "Room 204"}')
        assert not bad.is_valid()
        assert "language codes" in str(bad.errors["location_translations"])
    page = admin_client.get(reverse("admin:appointments_team_change", args=[form.instance.pk]))
    assert "location_translations" in page.content.decode()
