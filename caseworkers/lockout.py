"""django-axes with a second limit per client address, against password spraying.

Axes locks a (username, address) pair after LOGIN_FAILURE_LIMIT failures. Someone trying one
password on many usernames never reaches that, so the handler also counts every failure from
the address, whatever the username, and treats the address as locked once it reaches the higher
LOGIN_FAILURE_LIMIT_PER_ADDRESS (a shared reception PC's few typos stay far below it).
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class AddressAwareHandler(AxesDatabaseHandler):
    """The database handler; failures per address count once they reach their own limit."""

    def get_failures(self, request, credentials=None) -> int:
        """The pair's failures, or the limit once the address reached its own; marks the
        request `axes_address_locked` then, so the lockout page says the whole address is
        paused (every username), not only this user there."""
        failures = super().get_failures(request, credentials)
        limit = settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
        if address_failures(request) >= limit:
            request.axes_address_locked, request.axes_address_limit = True, limit
            return max(failures, get_failure_limit(request, credentials))
        return failures


def address_failures(request) -> int:
    """Failed logins from the request's client address within the cool-off period."""
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    attempts = AccessAttempt.objects.filter(ip_address=address)
    if get_cool_off(request) is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
