"""The personal rebooking link after the office cancelled an appointment: the resident picks a
new time with priority (appointments.rebooking). The secret arrives once as `?t=`, moves to the
session (views/links.py) and is spent by the booking; used or expired links say so."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import protection
from ..errors import BookingError, NotFound
from ..rebooking import rebook, rebooking_days
from ..rebooking_offers import find_offer
from ..selectors import appointment_for_display
from .errors import errors_as_messages
from .links import move_to_session
from .wizard import _parse_day, too_many

LINK_IN_SESSION = "rebooking_link"
DONE = "rebooked_code"


def _not_found(request):
    return render(request, "appointments/not_found.html", status=404)


def _keeper(request):
    def keep(token):
        try:
            find_offer(token)
        except NotFound:
            return _not_found(request)
        except BookingError:
            pass  # used or expired: the page says so
        request.session[LINK_IN_SESSION] = token
        return None

    return keep


@never_cache
@require_http_methods(["GET", "POST"])
def choose(request):
    """The free places offered with priority; a press on a time books it."""
    if not protection.link_attempt_allowed(request):
        return too_many(request)
    moved = move_to_session(request, "t", _keeper(request))
    if moved:
        return moved
    token = request.session.get(LINK_IN_SESSION, "")
    try:
        offer = find_offer(token)
    except NotFound:
        return _not_found(request)
    except BookingError as error:
        return render(
            request, "appointments/rebook_closed.html", {"message": error.message}, status=410
        )
    if request.method == "POST":
        try:
            slot_id = int(request.POST.get("slot", ""))
        except ValueError:
            messages.error(request, _("Please choose one of the free times."))
            return redirect("appointments:rebook")
        with errors_as_messages(request):
            appointment = rebook(token=token, slot_id=slot_id)
            request.session.pop(LINK_IN_SESSION, None)
            request.session[DONE] = appointment.code
            return redirect("appointments:rebook_done")
        return redirect("appointments:rebook")
    days, internal = rebooking_days(offer)
    day = _parse_day(request.GET.get("day"))
    selected = next(((d, slots) for d, slots in days if d == day), None)
    if request.GET.get("day") and selected is None:
        messages.warning(request, _("There are no free times on that day any more."))
    return render(
        request,
        "appointments/rebook.html",
        {
            "appointment": offer.appointment,
            "offer": offer,
            "days": days,
            "internal": internal,
            "selected_day": selected[0] if selected else None,
            "selected_slots": selected[1] if selected else [],
            "no_times_message": _(
                "There are no free times at the moment. Please call us; we will find a time "
                "for you."
            ),
        },
    )


@never_cache
def done(request):
    """The new appointment, after the rebooking."""
    appointment = appointment_for_display(request.session.get(DONE, ""))
    if appointment is None:
        return _not_found(request)
    return render(request, "appointments/rebook_done.html", {"appointment": appointment})
