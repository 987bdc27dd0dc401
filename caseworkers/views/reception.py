"""Reception: find an appointment (code, QR scan or surname + date of birth), check in, walk-ins.

The search is a POST: a surname and a date of birth never appear in an address (access logs,
browser history). A GET may carry only a booking code (`?code=`), which is no personal data.
"""

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from appointments import parties, queue, retention, selectors, wait_status
from appointments.availability import day_bounds
from appointments.documents import link_qr_svg, qr_svg
from appointments.errors import BookingError, ConfirmationRequired, NoLongerStored, TooLate
from appointments.models import Appointment, Priority, Status
from appointments.names import surname_key
from appointments.people import Person
from appointments.views.errors import add_form_error, show_error

from ..audit import VIEWED, log_personal_data_access
from ..forms.reception import FindForm, WalkInForm
from ..permissions import role_required
from ..roles import ADMINISTRATOR, RECEPTION, SUPERVISOR, roles_of
from .visits import confirmation

RECEPTION_ROLES = (RECEPTION, SUPERVISOR, ADMINISTRATOR)


def _candidates(data):
    found = Appointment.objects.select_related(
        "slot", "slot__team", "service", "queue_team", "party"
    )
    if data["code"]:
        return list(found.filter(code=data["code"], pseudonymised_at__isnull=True))
    today = timezone.localdate()
    # Either spelling finds the resident: "Иванов" or the passport's "Ivanov".
    key = surname_key(data["surname"])
    found = found.filter(
        Q(surname_key=key) | Q(surname_latin__iexact=" ".join(data["surname"].split()))
    ).exclude(status__in=(Status.EXPIRED,))
    if data.get("date_of_birth"):
        found = found.filter(date_of_birth=data["date_of_birth"], slot__start__date__gte=today)
    else:
        # the surname alone: today's appointments only (a short list to pick from)
        start, end = day_bounds(today)
        found = found.filter(slot__start__gte=start, slot__start__lt=end)
    return list(found.order_by("slot__start", "given_names")[:10])


def _not_found(data):
    if retention.no_longer_stored_by_code(data["code"]):
        return NoLongerStored.default_message
    return _("No appointment found. Check the code or search by name.")


@require_http_methods(["GET", "POST"])
@role_required(*RECEPTION_ROLES)
def desk(request):
    """The reception desk: search, the found appointment with its checklist, check-in."""
    if request.method == "POST":
        form = FindForm(request.POST)
    else:
        form = FindForm({"code": request.GET["code"]} if request.GET.get("code") else None)
    results = None
    if form.is_bound and form.is_valid():
        results = _candidates(form.cleaned_data)
        for appointment in results:
            log_personal_data_access(request=request, appointment=appointment, what=VIEWED)
        if not results:
            messages.warning(request, _not_found(form.cleaned_data))
    return render(
        request,
        "caseworkers/reception.html",
        {
            "form": form,
            "results": results,
            "now": timezone.now(),
            "late_minutes": settings.ARRIVAL_LATE_MINUTES,
            "refuse_minutes": settings.ARRIVAL_REFUSE_MINUTES,
        },
    )


@require_POST
@role_required(*RECEPTION_ROLES)
def check_in(request, appointment_id):
    """Check in; a resident marked as not there today is admitted again after the
    confirmation page (its form sends `readmit`)."""
    appointment = get_object_or_404(Appointment, pk=appointment_id)
    accept_late = request.POST.get("accept_late") == "1"
    found_url = f"{reverse('caseworkers:reception')}?code={appointment.code}"
    try:
        checked = parties.check_in_party(  # a group booking is checked in at once
            appointment_id=appointment.pk,
            actor=request.user,
            accept_late=accept_late,
            readmit=request.POST.get("readmit") == "1",
        )
    except ConfirmationRequired as question:
        return confirmation(
            request,
            question,
            fields={"readmit": "1", "accept_late": "1" if accept_late else ""},
            confirm_label=_("Yes, admit again"),
            back_url=found_url,
        )
    except TooLate as error:
        show_error(request, error)
        # back to the same appointment, where reception may still accept the late arrival
        return redirect(found_url)
    except BookingError as error:
        show_error(request, error)
    else:
        note = _(" (arrived late)") if checked.arrived_late else ""
        messages.success(
            request,
            _("Checked in. Waiting number: %(number)s%(note)s")
            % {"number": checked.waiting_number, "note": note},
        )
        return redirect("caseworkers:ticket", appointment_id=checked.pk)
    return redirect("caseworkers:reception")


@role_required(*RECEPTION_ROLES)
def walk_in(request):
    """A visit without appointment: the responsible team unless overridden with a reason; an
    emergency past the day's places with a reason (a supervisor without)."""
    by_supervisor = bool(roles_of(request.user) & {SUPERVISOR, ADMINISTRATOR})
    form = WalkInForm(request.POST or None, by_supervisor=by_supervisor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = Person.from_data(data)
        try:
            appointment = queue.add_walk_in(
                team=data["team"],
                service=data["service"],
                person=person,
                priority=Priority.EMERGENCY if data["urgent"] else Priority.WALK_IN,
                override_reason=data["override_reason"] if data["other_team"] else "",
                beyond_contingent=data["beyond_contingent"],
                beyond_reason=data["beyond_reason"],
                by_supervisor=by_supervisor,
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
            return redirect("caseworkers:ticket", appointment_id=appointment.pk)
    return render(
        request,
        "caseworkers/walk_in.html",
        {
            "form": form,
            "contingents": selectors.walk_ins_left(timezone.localdate()),
            "by_supervisor": by_supervisor,
        },
    )


@role_required(*RECEPTION_ROLES)
def ticket(request, appointment_id):
    """The printable waiting ticket of today's arrival: waiting number, team, waiting area
    and a QR code of the number (no name, no date of birth: nothing personal to audit)."""
    appointment = get_object_or_404(
        Appointment.objects.select_related("queue_team"),
        pk=appointment_id,
        waiting_number__gt="",
        checked_in_at__date=timezone.localdate(),
    )
    # The resident's live wait page (no login, nothing personal in the link).
    wait_url = wait_status.wait_url(appointment)
    return render(
        request,
        "caseworkers/ticket.html",
        {
            "appointment": appointment,
            "team": appointment.queue_team,
            "qr": qr_svg(appointment.waiting_number),
            "wait_url": wait_url,
            "wait_qr": link_qr_svg(wait_url, title=_("Follow your wait on your phone")),
        },
    )
