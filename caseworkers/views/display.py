"""The waiting-room call display: waiting numbers and counters only, never personal data.

A kiosk opens it once with `?device=<token>` (the token is then kept in the session and the
address cleaned); staff may open it logged in, for chosen teams.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from appointments import selectors
from appointments.announcements import announcements
from appointments.models import Team
from appointments.views.links import move_to_session

from ..forms.common import plausible_id
from ..models import DeviceToken
from ..roles import roles_of

DEVICE_KEY = "display_device"


def _teams(request):
    device_id = request.session.get(DEVICE_KEY)
    if device_id:
        device = DeviceToken.objects.filter(pk=device_id, revoked_at__isnull=True).first()
        if device is None:
            request.session.pop(DEVICE_KEY, None)
            raise PermissionDenied
        return list(device.teams.all())
    if not roles_of(request.user):
        raise PermissionDenied
    wanted = [t for t in request.GET.get("teams", "").split(",") if plausible_id(t)]
    teams = Team.objects.filter(active=True)
    return list(teams.filter(pk__in=wanted) if wanted else teams)


def _keep_device(request):
    def keep(token):
        device = DeviceToken.active_for(token)
        if device is None:
            raise PermissionDenied
        request.session[DEVICE_KEY] = device.pk
        return None

    return keep


@never_cache
def display(request):
    moved = move_to_session(request, "device", _keep_device(request))
    if moved:
        return moved
    if not request.session.get(DEVICE_KEY) and not request.user.is_authenticated:
        return redirect(f"/backoffice/login/?next={request.get_full_path()}")
    teams = _teams(request)
    return render(
        request,
        "caseworkers/display.html",
        {
            **_board(teams),
            "teams": teams,
            "feed_query": request.GET.urlencode(),
            "rotate_seconds": settings.DISPLAY_ANNOUNCEMENT_SECONDS,
        },
    )


def _board(teams):
    """What the display shows: open calls, the newest announced in every language, and the
    estimated waiting time per team. Numbers, counters and team names only."""
    calls = selectors.display_calls(teams)
    newest = calls[0] if calls else None
    return {
        "calls": calls,
        "newest": newest,
        "announcements": (
            announcements(number=newest["waiting_number"], counter=newest["counter__number"])
            if newest
            else []
        ),
        "estimates": [selectors.waiting_estimate(team) for team in teams],
    }


@never_cache
def display_feed(request):
    return render(request, "caseworkers/partials/display_calls.html", _board(_teams(request)))
