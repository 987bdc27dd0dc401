"""The resident's rights from their own link (GDPR Art. 15, 17): see and download everything
stored about the booking, and delete it at once.

Access is the manage page's: the token kept in the session (`manage._resolve`), so the
invitation link, which keeps its token the same way, reaches these pages too.
"""

import json

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from .. import privacy
from ..codes import normalize_code
from ..errors import BookingError
from ..models import Status
from .errors import show_error
from .manage import TOKENS, _not_found, _resolve

ERASED = "erased_codes"


@never_cache
@require_GET
def my_data(request, code):
    appointment, _token = _resolve(request, code)
    if appointment is None:
        return _not_found(request)
    return render(
        request,
        "appointments/my_data.html",
        {"appointment": appointment, "data": privacy.stored_data(appointment=appointment)},
    )


@never_cache
@require_GET
def my_data_print(request, code):
    appointment, _token = _resolve(request, code)
    if appointment is None:
        return _not_found(request)
    return render(
        request,
        "appointments/my_data_print.html",
        {"appointment": appointment, "data": privacy.stored_data(appointment=appointment)},
    )


@never_cache
@require_GET
def my_data_json(request, code):
    appointment, _token = _resolve(request, code)
    if appointment is None:
        return _not_found(request)
    data = privacy.stored_data(appointment=appointment)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="daten-{appointment.code}.json"'
    return response


def _forget_link(request, code):
    tokens = dict(request.session.get(TOKENS) or {})
    tokens.pop(code, None)
    request.session[TOKENS] = tokens
    request.session[ERASED] = [*(request.session.get(ERASED) or [])[-9:], code]


@never_cache
@require_http_methods(["GET", "POST"])
def erase(request, code):
    """A confirmation page; the POST cancels a future appointment and deletes the data."""
    appointment, _token = _resolve(request, code)
    if appointment is None:
        return _not_found(request)
    if request.method == "POST":
        try:
            privacy.erase_booking_data(appointment=appointment)
        except BookingError as error:
            show_error(request, error)
            return redirect("appointments:manage", code=appointment.code)
        _forget_link(request, appointment.code)
        return redirect("appointments:erased", code=appointment.code)
    return render(
        request,
        "appointments/erase.html",
        {
            "appointment": appointment,
            "will_cancel": appointment.status in (Status.HELD, Status.BOOKED)
            and appointment.slot.start > timezone.now(),
        },
    )


@never_cache
@require_GET
def erased(request, code):
    """What the resident sees after the deletion (only in the browser that deleted)."""
    code = normalize_code(code)
    if code not in (request.session.get(ERASED) or []):
        return _not_found(request)
    return render(request, "appointments/erased.html", {"code": code})
