"""Reception: find an appointment (code, QR scan or surname + date of birth), check in, walk-ins."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appointments import queue, retention
from appointments.errors import BookingError, NoLongerStored, TooLate
from appointments.models import Appointment, Status
from appointments.names import surname_key
from appointments.people import Person
from appointments.views.errors import add_form_error, show_error

from ..audit import VIEWED, log_personal_data_access
from ..forms.reception import FindForm, WalkInForm
from ..permissions import role_required
from ..roles import ADMINISTRATOR, RECEPTION, SUPERVISOR

RECEPTION_ROLES = (RECEPTION, SUPERVISOR, ADMINISTRATOR)


def _candidates(data):
    found = Appointment.objects.select_related("slot", "slot__team", "service", "queue_team")
    if data["code"]:
        return list(found.filter(code=data["code"], pseudonymised_at__isnull=True))
    today = timezone.localdate()
    return list(
        found.filter(
            surname_key=surname_key(data["surname"]),
            date_of_birth=data["date_of_birth"],
            slot__start__date__gte=today,
        )
        .exclude(status__in=(Status.EXPIRED,))
        .order_by("slot__start")[:10]
    )


def _not_found(data):
    if retention.no_longer_stored_by_code(data["code"]):
        return NoLongerStored.default_message
    return _("No appointment found. Check the code or search by name.")


@role_required(*RECEPTION_ROLES)
def desk(request):
    """The reception desk: search, the found appointment with its checklist, check-in."""
    form = FindForm(request.GET or None)
    results = None
    if request.GET and form.is_valid():
        results = _candidates(form.cleaned_data)
        for appointment in results:
            log_personal_data_access(request=request, appointment=appointment, what=VIEWED)
        if not results:
            messages.warning(request, _not_found(form.cleaned_data))
    return render(
        request,
        "caseworkers/reception.html",
        {"form": form, "results": results, "now": timezone.now()},
    )


@require_POST
@role_required(*RECEPTION_ROLES)
def check_in(request, appointment_id):
    appointment = get_object_or_404(Appointment, pk=appointment_id)
    try:
        checked = queue.check_in(
            appointment_id=appointment.pk,
            actor=request.user,
            accept_late=request.POST.get("accept_late") == "1",
        )
    except TooLate as error:
        show_error(request, error)
        # back to the same appointment, where reception may still accept the late arrival
        return redirect(f"{reverse('caseworkers:reception')}?code={appointment.code}")
    except BookingError as error:
        show_error(request, error)
    else:
        note = _(" (arrived late)") if checked.arrived_late else ""
        messages.success(
            request,
            _("Checked in. Waiting number: %(number)s%(note)s")
            % {"number": checked.waiting_number, "note": note},
        )
    return redirect("caseworkers:reception")


@role_required(*RECEPTION_ROLES)
def walk_in(request):
    form = WalkInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = Person.from_data(data)
        try:
            appointment = queue.add_walk_in(
                team=data["team"],
                service=data["service"],
                person=person,
                priority=2 if data["urgent"] else 1,
                actor=request.user,
            )
        except BookingError as error:
            add_form_error(form, error)
        else:
            messages.success(
                request,
                _("Walk-in added to the queue. Waiting number: %(number)s")
                % {"number": appointment.waiting_number},
            )
            return redirect("caseworkers:reception")
    return render(request, "caseworkers/walk_in.html", {"form": form})
