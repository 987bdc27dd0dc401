"""Template filters of the resident and staff pages."""

from django import template
from django.utils import formats, timezone

register = template.Library()


@register.filter
def when(value):
    """'Thursday, 26 November 2026, 09:00' in the active language, in the office's time zone."""
    if not value:
        return ""
    local = timezone.localtime(value)
    weekday = formats.date_format(local, "l")
    date = formats.date_format(local, "DATE_FORMAT")
    return f"{weekday}, {date}, {formats.time_format(local, 'H:i')}"


@register.filter
def day(value):
    """'Thursday, 26 November 2026' in the active language."""
    if not value:
        return ""
    return f"{formats.date_format(value, 'l')}, {formats.date_format(value, 'DATE_FORMAT')}"
