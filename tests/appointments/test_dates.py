"""Dates as residents read them (appointments/dates.py): unambiguous English, Arabic with the
Arabic comma and Western digits, Russian and Ukrainian weekdays in lower case inside a sentence
and capitalised where a date starts a line; on pages and in mails."""

import datetime as dt
import re

import pytest
from django.utils import timezone, translation

from appointments import booking, dates, protection
from appointments.notifications.messages import render_message
from tests.factories import appointment, bookable_slot, person

pytestmark = pytest.mark.django_db

AT = timezone.make_aware(dt.datetime(2026, 12, 3, 9, 0))  # a Thursday
EASTERN_DIGITS = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")

EXPECTED = {
    "de": ("Donnerstag, 3. Dezember 2026, 09:00", "Do 3. Dez", "23. April 1990"),
    "en": ("Thu 3 Dec 2026, 09:00", "Thu 3 Dec", "23 Apr 1990"),
    "ar": ("الخميس، 3 ديسمبر 2026، 09:00", "الخميس 3 ديسمبر", "23 إبريل 1990"),
    "tr": ("3 Aralık 2026 Perşembe, 09:00", "3 Ara Prş", "23 Nisan 1990"),
    "ru": ("четверг, 3 декабря 2026, 09:00", "чт 3 декабря", "23 апреля 1990"),
    "uk": ("четвер, 3 грудня 2026, 09:00", "чт 3 грудня", "23 квітня 1990"),
}


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_each_language_has_one_date_style(language):
    when, short, birth = EXPECTED[language]
    with translation.override(language):
        assert dates.format_when(AT) == when
        assert dates.format_day(AT.date()) == when.rsplit(dates.list_separator(), 1)[0]
        assert dates.format_short_day(AT.date()) == short
        assert dates.format_date(dt.date(1990, 4, 23)) == birth
        assert not NUMERIC_DATE.search(dates.format_when(AT))
        assert not EASTERN_DIGITS.search(dates.format_when(AT))


def test_arabic_lists_use_the_arabic_comma():
    with translation.override("ar"):
        assert dates.list_separator() == "، "
        assert "," not in dates.format_when(AT)
    with translation.override("de"):
        assert dates.list_separator() == ", "


def test_a_time_crossing_midnight_is_shown_in_the_office_time_zone():
    utc = dt.datetime(2026, 12, 2, 23, 30, tzinfo=dt.UTC)  # 00:30 on 3 Dec in Wiesbaden
    with translation.override("en"):
        assert dates.format_when(utc) == "Thu 3 Dec 2026, 00:30"


@pytest.mark.clock("2026-11-30 10:00", tick=False)
@pytest.mark.parametrize(
    ("language", "button", "heading"),
    [
        ("en", "Thu 3 Dec", "Thu 3 Dec 2026"),
        ("ru", "Чт 3 декабря", "четверг, 3 декабря 2026"),
        ("ar", "الخميس 3 ديسمبر", "الخميس، 3 ديسمبر 2026"),
    ],
)
def test_the_calendar_shows_spelled_out_days(client, language, button, heading):
    service, _team, _slot = bookable_slot(start=AT)
    client.post(f"/{language}/buchen/{service.slug}/", {"surname": "Yilmaz", "nationality": "TR"})
    page = client.get(f"/{language}/buchen/{service.slug}/zeit/?day=2026-12-03").content.decode()
    assert button in page  # the day button, capitalised at the start of its line
    assert heading in page  # inside the heading's sentence: lower case in Russian
    assert not NUMERIC_DATE.search(page) and "12.03." not in page


@pytest.mark.clock("2026-11-30 10:00", tick=False)
@pytest.mark.parametrize(
    ("language", "line"),
    [("en", "Thu 3 Dec 2026, 09:00"), ("ru", "Четверг, 3 декабря 2026, 09:00")],
)
def test_the_confirmation_mail_shows_the_date_of_its_language(language, line):
    service, _team, slot = bookable_slot(start=AT)
    made = appointment(service=service, slot=slot, n=1)
    made.language = language
    _subject, text, html = render_message("confirmation", made)
    assert line in text and line in html
    assert not NUMERIC_DATE.search(text)


@pytest.mark.clock("2026-11-30 10:00", tick=False)
def test_the_retry_time_of_a_rate_limit_on_another_day_is_spelled_out():
    with translation.override("en"):
        error = protection.refused_until(24 * 3600)
    assert "Tue 1 Dec 2026, 10:00" in str(error.message)


def _booked_in_session(client, language):
    """A confirmed appointment on Thu 3 Dec 2026 09:00 (and a free later time), its manage
    token in the client's session."""
    service, team, slot = bookable_slot(start=AT, capacity=2)
    _s, _t, later = bookable_slot(
        service=service, team=team, start=AT + dt.timedelta(days=1), capacity=2
    )
    made, token = booking.book(service=service, slot_id=slot.pk, person=person(1), channel="online")
    booking.verify(code=made.code, token=token)
    client.get(f"/{language}/termin/{made.code}/", {"t": token})
    return made, later


SUMMARY_LINE = {
    "en": "Thu 3 Dec 2026, 09:00",
    "ar": "الخميس، 3 ديسمبر 2026، 09:00",
    "ru": "Четверг, 3 декабря 2026, 09:00",
    "uk": "Четвер, 3 грудня 2026, 09:00",
}


def _lines(content):
    """The text of each <dd> of the page (a date standing at the start of its line)."""
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<dd[^>]*>(.*?)</dd>", content, re.S)
    ]


@pytest.mark.clock("2026-11-30 10:00", tick=False)
@pytest.mark.parametrize("language", sorted(SUMMARY_LINE))
def test_the_confirmation_pages_show_the_date_of_their_language(client, settings, language):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    made, _later = _booked_in_session(client, language)
    line = SUMMARY_LINE[language]
    for path in ("", "drucken/"):
        content = client.get(f"/{language}/termin/{made.code}/{path}").content.decode()
        assert line in _lines(content), (path, _lines(content))
        assert not NUMERIC_DATE.search(re.sub(r"<[^>]+>", " ", content))
        assert not EASTERN_DIGITS.search(line)


@pytest.mark.clock("2026-11-30 10:00", tick=False)
@pytest.mark.parametrize("language", sorted(SUMMARY_LINE))
def test_the_move_question_shows_both_times_capitalised_at_the_start_of_their_line(
    client, settings, language
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    made, later = _booked_in_session(client, language)
    question = client.post(f"/{language}/termin/{made.code}/verschieben/", {"slot": later.pk})
    lines = _lines(question.content.decode())
    assert SUMMARY_LINE[language] in lines, lines
    with translation.override(language):
        new_line = dates.format_when(later.start)
    assert (new_line[:1].upper() + new_line[1:]) in lines, lines
