"""Release modes and reconfirmation per service (role supervisor): the waiting wishes are
shown before switching, every change is audited, with the places reconfirmation freed."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from appointments import reconfirmation
from appointments.waitlist import release_modes

from ..forms.release_modes import ReleasePolicyForm
from ..permissions import role_required
from ..roles import ADMINISTRATOR, SUPERVISOR

supervisors = role_required(SUPERVISOR, ADMINISTRATOR)


@supervisors
def overview(request):
    figures = reconfirmation.figures()
    services = list(release_modes.services_with_policy())
    for service in services:
        service.reconfirmation = figures.get(service.pk, {"freed": 0, "used": 0})
    return render(
        request,
        "caseworkers/supervision/release_modes.html",
        {"section": "release", "services": services},
    )


@supervisors
def edit(request, service_id):
    service = get_object_or_404(release_modes.services_with_policy(), pk=service_id)
    initial = {
        "release_mode": service.release_mode,
        "reconfirmation_days": service.reconfirmation_days,
    }
    form = ReleasePolicyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        release_modes.configure_service(
            service_id=service.pk, actor=request.user, **form.cleaned_data
        )
        messages.success(
            request, _("The release policy of %(service)s is saved.") % {"service": service.name}
        )
        return redirect("caseworkers:supervision:release_modes")
    return render(
        request,
        "caseworkers/supervision/release_mode_form.html",
        {"section": "release", "service": service, "form": form},
    )
