"""Help without login: find my appointment (a new manage link by mail), the live wait page of
a waiting ticket (and its JSON for the page's script), and the check of a signed confirmation.

None of them tells whether something exists beyond what the link itself proves: the find page
answers alike (and at least FIND_MIN_SECONDS late) whether or not a booking matched.
"""

import time

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from .. import protection, recovery, verification, wait_status
from ..errors import TooManyAttempts
from ..forms import FindAppointmentForm
from .wizard import too_many


@never_cache
@require_http_methods(["GET", "POST"])
def find(request):
    """The form; after a valid submission always the same "if it matches, a mail is on its
    way" page, whatever was found."""
    form = FindAppointmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        began = time.perf_counter()
        data = form.cleaned_data
        try:
            recovery.check_limits(client=protection.client_ip(request), code=data["code"])
        except TooManyAttempts:
            return too_many(request)
        recovery.resend_manage_link(
            code=data["code"], date_of_birth=data["date_of_birth"], email=data["email"]
        )
        # The same timing class either way: a match renders and stores a mail, a miss does not.
        rest = settings.FIND_MIN_SECONDS - (time.perf_counter() - began)
        if rest > 0:
            time.sleep(rest)
        return render(request, "appointments/find_sent.html")
    return render(request, "appointments/find.html", {"form": form})


def _wait_texts(state):
    """Headline and explanation of a state (rendered by the server for page and script)."""
    number, ahead = state["number"], state["ahead"]
    if state["state"] == "waiting":
        if ahead == 0:
            return _("You are next"), _("Please stay near the display.")
        detail = _("About %(minutes)s minutes (estimate from today's pace).") % {
            "minutes": state["minutes"]
        }
        people = ngettext("%(count)s person before you", "%(count)s people before you", ahead) % {
            "count": ahead
        }
        return people, detail
    return {
        "called": (
            _("It's your turn — counter %(counter)s") % {"counter": state["counter"]},
            _("Please go to counter %(counter)s now.") % {"counter": state["counter"]},
        ),
        "paused": (
            _("Your number is on hold"),
            _("Please ask at reception."),
        ),
        "serving": (_("You are being served"), _("Number %(number)s") % {"number": number}),
        "done": (_("Your visit is finished"), _("Thank you for your visit.")),
    }.get(state["state"], (_("Not in the queue"), _("Please ask at reception.")))


def _wait_state(token):
    appointment = wait_status.ticket_appointment(token)
    if appointment is None:
        return None
    state = wait_status.status(appointment)
    state["headline"], state["detail"] = _wait_texts(state)
    return state


@never_cache
@require_GET
def wait(request, token):
    """The live wait page: no login, no personal data; reloads itself without JavaScript."""
    state = _wait_state(token)
    if state is None:
        return render(request, "appointments/wait_invalid.html", status=404)
    return render(
        request,
        "appointments/wait.html",
        {"state": state, "token": token, "poll_seconds": settings.WAIT_STATUS_POLL_SECONDS},
    )


@never_cache
@require_GET
def wait_json(request, token):
    """The page's status for its script (numbers and the texts already translated)."""
    state = _wait_state(token)
    if state is None:
        return JsonResponse({"state": "invalid"}, status=404)
    return JsonResponse(state)


@never_cache
@require_GET
def check(request, token):
    """The public check of a signed confirmation: the day, initials, year of birth; nothing
    else, and one neutral answer for every link that is not (or no longer) valid."""
    if not protection.allow(
        "check-ip",
        protection.client_ip(request),
        limit=settings.RATE_LIMIT_CHECKS_PER_IP_HOUR,
        window_seconds=protection.HOUR,
    ):
        return too_many(request)
    result = verification.confirmed(token)
    return render(
        request, "appointments/check.html", {"result": result}, status=200 if result else 404
    )
