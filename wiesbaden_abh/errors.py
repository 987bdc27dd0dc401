"""Error pages (handler403/404/500): the staff layout under /backoffice/, the resident layout
elsewhere, each translated and with a way back.

403 and 404 render with the full request context like any page. The 500 page must render even
when the database or a context processor is what failed: it uses a plain context (no user, no
session, no CSRF token, no context processors) and a layout of its own that reads nothing but
settings, the active language and static files.
"""

from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.utils import translation
from django.views.decorators.csrf import requires_csrf_token

STAFF_PREFIX = "/backoffice/"


def is_staff_path(request):
    """Whether the failing page belongs to the backoffice (staff layout, German)."""
    return request.path.startswith(STAFF_PREFIX)


def _template(request, status):
    return f"caseworkers/errors/{status}.html" if is_staff_path(request) else f"{status}.html"


@requires_csrf_token
def permission_denied(request, exception=None):
    """403 in the layout of the side the visitor was on."""
    body = loader.render_to_string(_template(request, 403), {}, request)
    return HttpResponseForbidden(body)


@requires_csrf_token
def page_not_found(request, exception=None):
    """404 in the layout of the side the visitor was on."""
    body = loader.render_to_string(_template(request, 404), {}, request)
    return HttpResponseNotFound(body)


def server_error(request):
    """500 without the request context: nothing here may touch the database or the session."""
    staff = is_staff_path(request)
    context = {
        "AUTHORITY_NAME": settings.AUTHORITY_NAME,
        "AUTHORITY_ADDRESS": settings.AUTHORITY_ADDRESS,
        "staff": staff,
        "home_url": STAFF_PREFIX if staff else f"/{translation.get_language() or 'de'}/",
    }
    body = loader.get_template(_template(request, 500)).render(context)
    return HttpResponseServerError(body)
