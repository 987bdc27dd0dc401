"""Session lifetimes by audience (policy knobs STAFF_SESSION_IDLE_MINUTES, RESIDENT_SESSION_HOURS).

Staff often share reception PCs: their session cookie dies with the browser, and a session left
idle longer than the limit is logged out on its next request. A resident's session holding a
booking's manage token, held codes or a draft of personal data ends a few hours after it began,
whatever happens meanwhile. Other anonymous sessions (a display kiosk's) keep Django's default.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.utils import timezone

from appointments.views.manage import TOKENS
from appointments.views.wizard import DRAFT, HELD

LAST_SEEN = "staff_last_seen"
RESIDENT_KEYS = (TOKENS, HELD, DRAFT)
# Writing the last-seen time on every request would save the session every time; this coarse.
SEEN_RESOLUTION_SECONDS = 60


class SessionPolicyMiddleware:
    """After SessionMiddleware and AuthenticationMiddleware: applies the lifetimes above."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A logged-in session, not request.user: an API token authenticates without a session.
        if SESSION_KEY in request.session:
            _staff_idle_check(request)
        response = self.get_response(request)
        if SESSION_KEY in request.session:
            _staff_touch(request)
        else:
            _resident_cap(request)
        return response


def start_staff_session(sender, request, user, **kwargs):
    """On login (user_logged_in, connected in caseworkers' ready()): a browser-session cookie
    and the idle clock start with the login itself, so the next request writes nothing."""
    if request is not None and hasattr(request, "session"):
        _staff_touch(request)


def _staff_idle_check(request):
    seen = request.session.get(LAST_SEEN)
    idle = dt.timedelta(minutes=settings.STAFF_SESSION_IDLE_MINUTES).total_seconds()
    if seen is not None and timezone.now().timestamp() - seen > idle:
        logout(request)  # flushes the session; the page then asks to log in again


def _staff_touch(request):
    session, now = request.session, timezone.now().timestamp()
    if session.get("_session_expiry") != 0:
        session.set_expiry(0)  # a browser-session cookie, never stored on the PC
    seen = session.get(LAST_SEEN)
    if seen is None or now - seen >= SEEN_RESOLUTION_SECONDS:
        session[LAST_SEEN] = now


def _resident_cap(request):
    session = request.session
    if "_session_expiry" in session or not any(key in session for key in RESIDENT_KEYS):
        return
    session.set_expiry(timezone.now() + dt.timedelta(hours=settings.RESIDENT_SESSION_HOURS))
