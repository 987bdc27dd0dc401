"""One resident's visit: the lifecycle moves from the buttons, the visit page with its
outcome, forwarding to another team, and booking the follow-up visit."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from appointments import queue
from appointments.codes import normalize_code
from appointments.errors import BookingError, ConfirmationRequired
from appointments.models import Appointment, Status
from appointments.selectors import booked_follow_up, case_history
from appointments.views.errors import errors_as_messages, show_error

from ..access import grant, visit_or_404
from ..audit import VIEWED, log_personal_data_access
from ..forms.queue import FinishForm, ForwardForm, StartDayForm, VisitSearchForm
from ..permissions import role_required
from .queue import QUEUE_ROLES, chosen_counter


def _counter(request, appointment):
    if appointment.queue_team_id is None:
        return None
    return chosen_counter(request, appointment.queue_team)


# action → the move; `confirm` comes from the confirmation page's second form
ACTIONS = {
    "call": lambda request, a, confirm: queue.call(
        appointment_id=a.pk, counter=_counter(request, a), actor=request.user
    ),
    "recall": lambda request, a, confirm: queue.recall(
        appointment_id=a.pk, counter=_counter(request, a), actor=request.user, confirm=confirm
    ),
    "park": lambda request, a, confirm: queue.park(appointment_id=a.pk, actor=request.user),
    "start": lambda request, a, confirm: queue.start_service(
        appointment_id=a.pk, actor=request.user
    ),
    "no_show": lambda request, a, confirm: queue.mark_no_show(
        appointment_id=a.pk, actor=request.user, confirm=confirm
    ),
    "take_over": lambda request, a, confirm: queue.take_over(
        appointment_id=a.pk, actor=request.user
    ),
}


def confirmation(request, question, *, fields, confirm_label, back_url):
    """The server-side second step of a move with serious consequences: the question and a
    form that sends the same request again with the confirmation."""
    return render(
        request,
        "caseworkers/confirm.html",
        {
            "question": question.message,
            "action_url": request.path,
            "fields": fields,
            "confirm_label": confirm_label,
            "back_url": back_url,
        },
    )


@require_POST
@role_required(*QUEUE_ROLES)
def act(request, appointment_id, action):
    """One lifecycle move from a button; a stale or double click gets a clear message, a
    no-show is only marked after the confirmation page."""
    appointment = visit_or_404(
        request, Appointment.objects.select_related("queue_team"), appointment_id
    )
    visit_url = reverse("caseworkers:visit", args=[appointment.pk])
    if action not in ACTIONS:
        messages.error(request, _("Unknown action."))
        return redirect(visit_url)
    try:
        moved = ACTIONS[action](request, appointment, request.POST.get("confirm") == "1")
    except ConfirmationRequired as question:
        return confirmation(
            request,
            question,
            fields={"confirm": "1"},
            confirm_label=_("Yes, mark as not there"),
            back_url=visit_url,
        )
    except BookingError as error:
        show_error(request, error)
        if action == "call" and appointment.queue_team_id:
            return redirect("caseworkers:queue", team_id=appointment.queue_team_id)
        return redirect(visit_url)
    if moved.status == Status.NO_SHOW:
        messages.info(request, _("Marked as not there (no-show)."))
    elif action == "take_over":
        messages.success(request, _("You have taken over this resident."))
    if appointment.queue_team_id and action in ("park", "no_show"):
        return redirect("caseworkers:queue", team_id=appointment.queue_team_id)
    return redirect(visit_url)


@require_POST
@role_required(*QUEUE_ROLES)
def correct(request, appointment_id):
    """Correct the outcome of a visit finished today (audited)."""
    appointment = visit_or_404(request, Appointment.objects.all(), appointment_id)
    form = FinishForm(request.POST, prefix="correct")
    if not form.is_valid():
        messages.error(request, _("Please choose an outcome."))
    else:
        with errors_as_messages(request):
            queue.correct_outcome(
                appointment_id=appointment.pk,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
            messages.success(request, _("Outcome corrected."))
    return redirect("caseworkers:visit", appointment_id=appointment.pk)


@role_required(*QUEUE_ROLES)
def visit(request, appointment_id):
    """One resident's visit: data, checklist, actions, outcome, follow-up."""
    appointment = visit_or_404(
        request,
        Appointment.objects.select_related(
            "slot", "slot__team", "service", "queue_team", "counter", "case", "served_by"
        ),
        appointment_id,
    )
    log_personal_data_access(request=request, appointment=appointment, what=VIEWED)
    finish_form = FinishForm(request.POST or None)
    if request.method == "POST" and finish_form.is_valid():
        with errors_as_messages(request):
            queue.finish(
                appointment_id=appointment.pk,
                outcome=finish_form.cleaned_data["outcome"],
                note=finish_form.cleaned_data["note"],
                actor=request.user,
            )
            messages.success(request, _("Visit finished."))
        return redirect("caseworkers:visit", appointment_id=appointment.pk)
    history = case_history(appointment)
    follow_up = booked_follow_up(history)
    return render(
        request,
        "caseworkers/visit.html",
        {
            "appointment": appointment,
            "finish_form": finish_form,
            "forward_form": ForwardForm(exclude_team=appointment.queue_team),
            "max_calls": settings.MAX_UNANSWERED_CALLS,
            "recall_seconds": settings.QUEUE_RECALL_MIN_SECONDS,
            "handled_by_colleague": appointment.status in queue.HANDLED
            and appointment.served_by_id not in (None, request.user.pk),
            "handler": queue.staff_name(appointment.served_by),
            "correct_form": FinishForm(
                prefix="correct",
                initial={"outcome": appointment.outcome, "note": appointment.internal_note},
            )
            if appointment.status == Status.COMPLETED
            and appointment.completed_at
            and timezone.localdate(appointment.completed_at) == timezone.localdate()
            else None,
            "history": history,
            "follow_up": follow_up,
            "follow_up_due": bool(
                appointment.status == Status.COMPLETED
                and appointment.case_id
                and appointment.service.follow_up_service_id
                and follow_up is None
            ),
        },
    )


@require_POST
@role_required(*QUEUE_ROLES)
def forward(request, appointment_id):
    appointment = visit_or_404(
        request, Appointment.objects.select_related("queue_team"), appointment_id
    )
    form = ForwardForm(request.POST, exclude_team=appointment.queue_team)
    if not form.is_valid():
        messages.error(request, _("Please choose the team to forward to."))
        return redirect("caseworkers:visit", appointment_id=appointment.pk)
    with errors_as_messages(request):
        queue.forward(
            appointment_id=appointment.pk, team=form.cleaned_data["team"], actor=request.user
        )
        messages.success(request, _("Forwarded to %(team)s.") % {"team": form.cleaned_data["team"]})
        return redirect("caseworkers:queue", team_id=appointment.queue_team_id)
    return redirect("caseworkers:visit", appointment_id=appointment.pk)


def _start_day(request, default):
    """The first day of the free times shown (`?from=`); an implausible one gets a message."""
    form = StartDayForm(request.GET)
    if not form.is_valid():
        for error in form.errors["date"]:
            messages.warning(request, error)
        return default
    return form.cleaned_data["date"] or default


@role_required(*QUEUE_ROLES)
def follow_up(request, appointment_id):
    """Book the second visit (e.g. card pickup) from the internal contingent."""
    appointment = visit_or_404(
        request,
        Appointment.objects.select_related("service", "service__follow_up_service"),
        appointment_id,
    )
    today = timezone.localdate()
    requested = _start_day(request, None)  # an implausible `?from=` is reported either way
    try:
        start = queue.first_follow_up_week(appointment)
    except BookingError as error:
        show_error(request, error)
        return redirect("caseworkers:visit", appointment_id=appointment.pk)
    day_from = max(requested or start, today + dt.timedelta(days=1))
    if request.method == "POST":
        try:
            slot_id = int(request.POST.get("slot", ""))
            booked = queue.book_follow_up(
                appointment_id=appointment.pk, slot_id=slot_id, actor=request.user
            )
        except ValueError:
            messages.error(request, _("Please choose one of the free times."))
        except BookingError as error:
            show_error(request, error)
        else:
            messages.success(
                request,
                _("Follow-up visit booked (%(code)s); the resident gets a confirmation e-mail.")
                % {"code": booked.code},
            )
            return redirect("caseworkers:visit", appointment_id=appointment.pk)
    try:
        service, days = queue.follow_up_slots(
            appointment, date_from=day_from, date_to=day_from + dt.timedelta(weeks=3)
        )
    except BookingError as error:
        show_error(request, error)
        return redirect("caseworkers:visit", appointment_id=appointment.pk)
    return render(
        request,
        "caseworkers/follow_up.html",
        {
            "appointment": appointment,
            "service": service,
            "days": days,
            "day_from": day_from,
            "earlier": day_from - dt.timedelta(weeks=3),
            "later": day_from + dt.timedelta(weeks=3),
        },
    )


@role_required(*QUEUE_ROLES)
@require_http_methods(["GET", "POST"])
def search(request):
    """A visit outside today's work: found by booking code, with a reason that is audited."""
    form = VisitSearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = normalize_code(form.cleaned_data["code"])
        appointment = Appointment.objects.filter(code=code).first()
        if appointment is None:
            form.add_error("code", _("No appointment has this booking code."))
        else:
            log_personal_data_access(
                request=request,
                appointment=appointment,
                what=VIEWED,
                via="search",
                reason=form.cleaned_data["reason"],
            )
            grant(request, appointment)
            return redirect("caseworkers:visit", appointment_id=appointment.pk)
    status = 400 if form.errors else 200
    return render(request, "caseworkers/visit_search.html", {"form": form}, status=status)
