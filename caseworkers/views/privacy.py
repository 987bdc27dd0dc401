"""Written data-protection requests (GDPR Art. 15, 17) answered by supervisors: find a
resident's appointments by surname and date of birth, export them, delete them.

Every step is audited: the search (a count, no name), each appointment shown, each export
and each deletion. Search terms travel by POST, so they stay out of addresses and logs.
"""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from appointments import privacy, retention
from appointments.audit import log_event
from appointments.models import Appointment
from appointments.views.errors import errors_as_messages

from ..audit import EXPORTED, VIEWED, log_personal_data_access
from ..forms.privacy import EraseForm, PersonSearchForm
from ..permissions import role_required
from ..roles import ADMINISTRATOR, SUPERVISOR


def _page(request, template, context, status=200):
    return render(
        request,
        f"caseworkers/supervision/{template}",
        {"section": "privacy", **context},
        status=status,
    )


@never_cache
@role_required(SUPERVISOR, ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def requests(request):
    form = PersonSearchForm(request.POST if request.method == "POST" else None)
    found = None
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, "privacy.html", {"form": form}, status=400)
        found = list(privacy.appointments_of_person(**form.cleaned_data))
        log_event(action="privacy_request.searched", actor=request.user, count=len(found))
        for appointment in found:
            log_personal_data_access(request=request, appointment=appointment, what=VIEWED)
    return _page(request, "privacy.html", {"form": form, "found": found})


@never_cache
@role_required(SUPERVISOR, ADMINISTRATOR)
@require_POST
def export(request, appointment_id):
    """Everything stored about one appointment as JSON, in the resident's language."""
    appointment = get_object_or_404(Appointment, pk=appointment_id)
    with translation.override(appointment.language):
        data = privacy.stored_data(appointment=appointment)
    log_personal_data_access(request=request, appointment=appointment, what=EXPORTED, format="json")
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="auskunft-{appointment.code}.json"'
    return response


@never_cache
@role_required(SUPERVISOR, ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def erase(request, appointment_id):
    """A confirmation, then the same erasure as the resident's own button (with the actor)."""
    appointment = get_object_or_404(
        Appointment.objects.select_related("slot", "service"), pk=appointment_id
    )
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with errors_as_messages(request):
            result = privacy.erase_booking_data(appointment=appointment, actor=request.user)
            if result.already_erased:
                messages.info(
                    request, _("The personal data of this appointment was already deleted.")
                )
            else:
                messages.success(
                    request,
                    _("Personal data of appointment %(code)s deleted.")
                    % {"code": appointment.code},
                )
            return redirect("caseworkers:supervision:privacy")
        return redirect("caseworkers:supervision:privacy")
    return _page(
        request,
        "privacy_erase.html",
        {
            "appointment": appointment,
            "form": form,
            "erased": retention.is_no_longer_stored(appointment),
        },
        status=400 if form.errors else 200,
    )
