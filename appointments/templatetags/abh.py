"""Template filters of the resident and staff pages (dates: appointments/dates.py)."""

from django import template

from .. import dates

register = template.Library()


@register.filter
def when(value):
    """'Thu 3 Dec 2026, 09:00' in the active language, in the office's time zone."""
    return dates.format_when(value)


@register.filter
def day(value):
    """'Thu 3 Dec 2026' in the active language."""
    return dates.format_day(value)


@register.filter
def short_day(value):
    """'Thu 3 Dec' (a calendar button) in the active language."""
    return dates.format_short_day(value)


@register.filter
def long_date(value):
    """'3 Dec 2026' (a birth or expiry date) in the active language."""
    return dates.format_date(value)


@register.simple_tag
def list_sep():
    """', ' or the Arabic comma between the items of a run-in list."""
    return dates.list_separator()
