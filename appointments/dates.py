"""Dates as residents read them, one style per language, for pages, mails, calendar files and
printouts: English spelled out ("Thu 3 Dec 2026", never 12/3/2026); Arabic with the Arabic
comma and Western digits (0-9, as in times, codes and phone numbers everywhere else); Russian
and Ukrainian with the weekday in lower case as inside a sentence (templates put `|capfirst`
where a date stands alone at the start of a line) and the month in the genitive."""

from django.utils import dateformat, timezone, translation

# language: (layout, weekday format, date format) in Django's date format characters.
_DAY = {
    "en": ("{weekday} {date}", "D", "j M Y"),
    "de": ("{weekday}, {date}", "l", "j. F Y"),
    "tr": ("{date} {weekday}", "l", "j F Y"),
    "ar": ("{weekday}، {date}", "l", "j F Y"),
    "ru": ("{weekday}, {date}", "l", "j E Y"),
    "uk": ("{weekday}, {date}", "l", "j E Y"),
}
# Calendar buttons: weekday and day without the year (the window is a few weeks long).
_SHORT = {
    "en": ("{weekday} {date}", "D", "j M"),
    "de": ("{weekday} {date}", "D", "j. M"),
    "tr": ("{date} {weekday}", "D", "j M"),
    "ar": ("{weekday} {date}", "l", "j F"),
    "ru": ("{weekday} {date}", "D", "j E"),
    "uk": ("{weekday} {date}", "D", "j E"),
}
_LOWER_WEEKDAY = {"ru", "uk"}
_TIME = "H:i"


def _language():
    language = (translation.get_language() or "de").split("-")[0]
    return language if language in _DAY else "en" if language.startswith("en") else "de"


def list_separator():
    """The separator of a run-in list in the active language (the Arabic comma in Arabic)."""
    return "، " if _language() == "ar" else ", "


def _compose(value, table):
    language = _language()
    layout, weekday_format, date_format = table[language]
    weekday = dateformat.format(value, weekday_format)
    if language in _LOWER_WEEKDAY:
        weekday = weekday.lower()
    return layout.format(weekday=weekday, date=dateformat.format(value, date_format))


def _local(value):
    """A datetime in the office's time zone; a date stays a date."""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return timezone.localtime(value)
    return value


def format_day(value):
    """Weekday and date: 'Thu 3 Dec 2026', 'Donnerstag, 3. Dezember 2026'."""
    return _compose(_local(value), _DAY) if value else ""


def format_short_day(value):
    """Weekday and day for a calendar button: 'Thu 3 Dec', 'Do 3. Dez'."""
    return _compose(_local(value), _SHORT) if value else ""


def format_date(value):
    """The date without the weekday (birth dates, expiry dates): '3 Dec 2026'."""
    if not value:
        return ""
    return dateformat.format(_local(value), _DAY[_language()][2])


def format_when(value):
    """Weekday, date and time in the office's time zone: 'Thu 3 Dec 2026, 09:00'."""
    if not value:
        return ""
    local = _local(value)
    return f"{_compose(local, _DAY)}{list_separator()}{dateformat.format(local, _TIME)}"
