"""The service desk's contact block (CONTACT_*): phone, mail and opening hours, shown on every
resident page and in every resident mail, with weekday names in the reader's language."""

import re

from django.conf import settings
from django.utils.dates import WEEKDAYS_ABBR

# "1-5 08:00-12:00" or "4 14:00-18:00" (ISO weekdays, 1 = Monday).
_PERIOD = re.compile(r"^([1-7])(?:-([1-7]))? (\d\d:\d\d)-(\d\d:\d\d)$")


def parse_hours(text):
    """CONTACT_HOURS as [(first weekday, last weekday, from, to)], weekdays 0 = Monday;
    malformed parts are left out (a system check warns of them)."""
    periods = []
    for part in (text or "").split(";"):
        found = _PERIOD.match(" ".join(part.split()))
        if found:
            first, last, start, end = found.groups()
            periods.append((int(first) - 1, int(last or first) - 1, start, end))
    return periods


def hours_lines(text=None):
    """The opening hours as short lines in the active language, e.g. "Mo–Fr 08:00–12:00"."""
    lines = []
    for first, last, start, end in parse_hours(settings.CONTACT_HOURS if text is None else text):
        days = str(WEEKDAYS_ABBR[first])
        if last != first:
            days = f"{days}–{WEEKDAYS_ABBR[last]}"
        lines.append(f"{days} {start}–{end}")
    return lines


def contact():
    """What the contact block shows (call it inside the reader's language)."""
    return {
        "phone": settings.CONTACT_PHONE,
        "phone_link": "tel:"
        + "".join(c for c in settings.CONTACT_PHONE if c.isdigit() or c == "+"),
        "email": settings.CONTACT_EMAIL,
        "hours": hours_lines(),
    }
