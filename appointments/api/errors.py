"""The one place where the API turns errors into JSON.

Every error answers `{"detail": …, "code": …, "fields": {field: [messages]}}`: domain errors
with their own status (409, or 400/404 where the error says so), validation errors with 400 and
per-field messages, everything DRF knows (401, 403, 404, 405, 415, 429) in the same shape.
Messages are translated into the request's language (Accept-Language).
"""

import json

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler

from appointments import metrics
from appointments.errors import BookingError

NON_FIELD_KEYS = ("non_field_errors", "__all__")


class RateLimited(exceptions.Throttled):
    """429 with the web's wording; Retry-After tells clients how long the window lasts."""

    default_detail = _(
        "To keep appointments fair for everyone, we limit how often a booking can be tried. "
        "Please try again later."
    )
    default_code = "rate_limited"

    def __init__(self, *, retry_after, detail=None):
        super().__init__(detail=detail)
        self.wait = retry_after


class ErrorSerializer(serializers.Serializer):
    """The shape of every error answer (for the schema)."""

    detail = serializers.CharField(help_text="What went wrong, for people.")
    code = serializers.CharField(help_text="A stable machine-readable code.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field (empty unless the input was invalid).",
    )


ERROR_DESCRIPTIONS = {
    400: "Invalid input: `fields` lists the messages per field.",
    401: "Not authenticated: no, an unknown or a revoked token.",
    403: "Authenticated, but the role does not allow this.",
    404: "Not found (for bookings: wrong code or token, alike).",
    409: "Not possible now (a domain rule): `detail` says why, `code` which rule.",
    429: "Too many attempts: try again after Retry-After seconds.",
    503: "Temporarily unavailable.",
}


def error_responses(*codes):
    """Schema entries for the error answers an operation can give."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
        for code in codes
    }


def error_code(error):
    """`SlotFull` → "slot_full": domain error classes give stable codes."""
    name = type(error).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _flatten(detail, prefix=""):
    """DRF's nested error details as {"field": [...], "items.0.field": [...]}."""
    fields = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            fields.update(_flatten(value, name))
    elif isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        for index, value in enumerate(detail):
            if value:
                fields.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        items = detail if isinstance(detail, list) else [detail]
        fields[prefix or NON_FIELD_KEYS[0]] = [str(item) for item in items]
    return fields


def _body(detail, code, fields=None):
    return {"detail": str(detail), "code": str(code), "fields": fields or {}}


def refusal_response(error):
    """The answer to a domain refusal, as DRF's JSON renderer writes it (compact, UTF-8),
    without content negotiation: every answer of the API is JSON. A refusal is an expected
    answer, not a fault: the metrics count it by reason and the access log has the line, so
    Django's request log does not warn about it as well (in a booking rush, one warning per
    refused client was a tenth of the refusal's cost)."""
    body = json.dumps(
        _body(error.message, error_code(error)), ensure_ascii=False, separators=(",", ":")
    )
    response = HttpResponse(
        body.encode(), status=error.http_status, content_type="application/json"
    )
    response._has_been_logged = True  # read by django.utils.log.log_response
    return response


def exception_handler(exc, context):
    if isinstance(exc, BookingError):
        metrics.refusal(exc, interface="api")
        return refusal_response(exc)
    # Django's own 404/403 carry untranslated, model-naming texts: answer with DRF's wording.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django answer 500 and report it
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        general = [m for key in NON_FIELD_KEYS for m in fields.pop(key, [])]
        detail = " ".join(general) if general else exceptions.ValidationError.default_detail
        response.data = _body(detail, "invalid", fields)
    else:
        detail = exc.detail
        response.data = _body(detail, getattr(detail, "code", None) or exc.default_code)
    return response


@csrf_exempt  # it changes nothing; a POST to a wrong path must get the JSON 404 as well
def not_found(request, *args, **kwargs):
    """Unknown paths under /api/ answer in the API's shape too, not with the HTML page."""
    detail = exceptions.NotFound.default_detail
    return JsonResponse(_body(detail, "not_found"), status=404)
