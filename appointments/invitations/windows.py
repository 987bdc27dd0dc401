"""The target window before a permit expires in which an invitee's appointment should lie."""

import datetime as dt

from django.conf import settings

from ..models import InvitationWindow


def window_weeks(service, windows=None):
    """(from, until) weeks before expiry for `service`: its own window or the default."""
    if windows is None:
        own = InvitationWindow.objects.filter(service=service).first()
    else:
        own = windows.get(service.pk)
    if own:
        return own.weeks_before_from, own.weeks_before_until
    return settings.INVITATION_WINDOW_FROM_WEEKS, settings.INVITATION_WINDOW_UNTIL_WEEKS


def target_window(*, expiry_date, service, today, windows=None):
    """The local dates in which the invitee's appointment should lie (first may be > last)."""
    weeks_from, weeks_until = window_weeks(service, windows)
    first = expiry_date - dt.timedelta(weeks=weeks_from)
    last = expiry_date - dt.timedelta(weeks=weeks_until)
    earliest = today + dt.timedelta(days=settings.INVITATION_MIN_LEAD_DAYS)
    return max(first, earliest), last
