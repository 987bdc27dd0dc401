"""The live wait on the resident's phone: the waiting ticket's signed link (no login, nothing
personal in it, valid on the day of the check-in only) and what the status page shows:
the waiting number, how many are called before it, the estimate at the team's measured pace,
and the counter once it is called."""

from django.urls import reverse
from django.utils import timezone, translation

from . import signed_links
from .models import Appointment, Status
from .notifications.messages import absolute
from .queue.order import waiting
from .selectors import estimate_minutes, walk_in_turn

SALT = "appointments.wait-status"


def _day(appointment):
    return timezone.localdate(appointment.checked_in_at).isoformat()


def ticket_token(appointment):
    """The token of the ticket's link; it ends with the day of the check-in."""
    return signed_links.make(SALT, appointment.pk, _day(appointment))


def ticket_appointment(token, *, now=None):
    """The appointment a ticket token of today stands for, or None (forged, of another day)."""
    pk = signed_links.object_id(token)
    if pk is None:
        return None
    today = timezone.localdate(now or timezone.now()).isoformat()
    if not signed_links.matches(SALT, token, pk, today):
        return None  # checked before the query: forged links cost no database read
    appointment = (
        Appointment.objects.select_related("queue_team", "counter", "slot")
        .filter(pk=pk, checked_in_at__isnull=False)
        .first()
    )
    if appointment is None or _day(appointment) != today or not appointment.waiting_number:
        return None
    return appointment


def status(appointment, *, now=None):
    """What the page shows, numbers only: {"state", "number", "ahead", "minutes", "counter"}.

    state: waiting, paused (parked by staff), called, serving, done, or gone (no-show,
    cancelled). `ahead` counts the people the queue order calls before this one right now.
    """
    now = now or timezone.now()
    result = {
        "state": "gone",
        "number": appointment.waiting_number,
        "ahead": None,
        "minutes": None,
        "counter": None,
    }
    if appointment.status == Status.CHECKED_IN and appointment.parked_at is not None:
        result["state"] = "paused"
    elif appointment.status == Status.CHECKED_IN and appointment.queue_team_id:
        team = appointment.queue_team
        order = waiting(team, now=now, walk_in_turn=walk_in_turn(team, now=now))
        pks = list(order.values_list("pk", flat=True))
        ahead = pks.index(appointment.pk) if appointment.pk in pks else len(pks)
        result.update(state="waiting", ahead=ahead, minutes=estimate_minutes(team, ahead, now=now))
    elif appointment.status == Status.CALLED:
        result.update(
            state="called", counter=appointment.counter.number if appointment.counter else ""
        )
    elif appointment.status == Status.IN_SERVICE:
        result["state"] = "serving"
    elif appointment.status == Status.COMPLETED:
        result["state"] = "done"
    return result


def wait_url(appointment):
    """The absolute short link (in the resident's language) for the QR code and to type."""
    with translation.override(appointment.language):
        return absolute(reverse("appointments:wait", kwargs={"token": ticket_token(appointment)}))
