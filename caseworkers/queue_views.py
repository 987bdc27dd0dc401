"""The caseworker's day: the team queue (live), the moves, the visit, follow-up, day list."""

import csv
import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appointments import queue
from appointments.errors import BookingError
from appointments.models import Appointment, Counter, Status, Team

from .audit import EXPORTED, VIEWED, log_personal_data_access
from .forms import DayForm, FinishForm, ForwardForm
from .permissions import role_required
from .roles import ADMINISTRATOR, CASEWORKER, RECEPTION, SUPERVISOR

QUEUE_ROLES = (CASEWORKER, SUPERVISOR, ADMINISTRATOR)
DAY_LIST_ROLES = (CASEWORKER, RECEPTION, SUPERVISOR, ADMINISTRATOR)
COUNTER_KEY = "queue_counter"


def traffic_light(minutes):
    target = settings.WAITING_TARGET_MINUTES
    if minutes <= target:
        return "green"
    return "amber" if minutes <= 2 * target else "red"


def _board(team, now):
    """The team's day, grouped for the queue page (one query for the appointments)."""
    groups = {
        key: []
        for key in ("waiting", "parked", "called", "in_service", "expected", "done", "no_show")
    }
    for appointment in queue.team_day(team, now=now):
        status = appointment.status
        if status == Status.CHECKED_IN:
            minutes = int((now - appointment.checked_in_at).total_seconds() // 60)
            appointment.waiting_minutes = minutes
            appointment.light = traffic_light(minutes)
            groups["parked" if appointment.parked_at else "waiting"].append(appointment)
        elif status == Status.CALLED:
            groups["called"].append(appointment)
        elif status == Status.IN_SERVICE:
            groups["in_service"].append(appointment)
        elif status == Status.BOOKED:
            groups["expected"].append(appointment)
        elif status == Status.COMPLETED:
            groups["done"].append(appointment)
        elif status == Status.NO_SHOW:
            groups["no_show"].append(appointment)
    groups["waiting"].sort(key=lambda a: (-a.priority, a.slot.start, a.checked_in_at, a.pk))
    return groups


def _team(team_id):
    return get_object_or_404(Team, pk=team_id, active=True)


@role_required(*QUEUE_ROLES)
def team_queue(request, team_id):
    team = _team(team_id)
    counters = list(Counter.objects.filter(team=team, active=True))
    return render(
        request,
        "caseworkers/queue.html",
        {
            "team": team,
            "teams": Team.objects.filter(active=True),
            "counters": counters,
            "selected_counter": request.session.get(COUNTER_KEY),
            "board": _board(team, timezone.now()),
            "target": settings.WAITING_TARGET_MINUTES,
        },
    )


@role_required(*QUEUE_ROLES)
def team_queue_fragment(request, team_id):
    """The live part of the queue page, fetched every few seconds by static/js/refresh.js."""
    team = _team(team_id)
    return render(
        request,
        "caseworkers/partials/queue_board.html",
        {
            "team": team,
            "board": _board(team, timezone.now()),
            "target": settings.WAITING_TARGET_MINUTES,
        },
    )


def _counter(request, team):
    counter_id = request.POST.get("counter") or request.session.get(COUNTER_KEY)
    counter = (
        Counter.objects.filter(pk=counter_id, team=team, active=True).first()
        if (str(counter_id or "").isdigit())
        else None
    )
    request.session[COUNTER_KEY] = counter.pk if counter else None
    return counter


@require_POST
@role_required(*QUEUE_ROLES)
def call_next(request, team_id):
    team = _team(team_id)
    try:
        appointment = queue.call_next(
            team=team, counter=_counter(request, team), actor=request.user
        )
    except BookingError as error:
        messages.info(request, error.message)
        return redirect("caseworkers:queue", team_id=team.pk)
    messages.success(request, _("Called %(number)s.") % {"number": appointment.waiting_number})
    return redirect("caseworkers:visit", appointment_id=appointment.pk)


ACTIONS = {
    "call": lambda request, a: queue.call(
        appointment_id=a.pk, counter=_counter(request, a.queue_team), actor=request.user
    ),
    "recall": lambda request, a: queue.recall(appointment_id=a.pk, actor=request.user),
    "park": lambda request, a: queue.park(appointment_id=a.pk, actor=request.user),
    "start": lambda request, a: queue.start_service(appointment_id=a.pk, actor=request.user),
    "no_show": lambda request, a: queue.mark_no_show(appointment_id=a.pk, actor=request.user),
}


@require_POST
@role_required(*QUEUE_ROLES)
def act(request, appointment_id, action):
    """One lifecycle move from a button; a stale or double click gets a clear message."""
    appointment = get_object_or_404(
        Appointment.objects.select_related("queue_team"), pk=appointment_id
    )
    if action not in ACTIONS:
        messages.error(request, _("Unknown action."))
        return redirect("caseworkers:visit", appointment_id=appointment.pk)
    try:
        moved = ACTIONS[action](request, appointment)
    except BookingError as error:
        messages.error(request, error.message)
    else:
        if moved.status == Status.NO_SHOW:
            messages.info(request, _("Marked as not there (no-show)."))
    if appointment.queue_team_id and action in ("park", "no_show"):
        return redirect("caseworkers:queue", team_id=appointment.queue_team_id)
    return redirect("caseworkers:visit", appointment_id=appointment.pk)


@role_required(*QUEUE_ROLES)
def visit(request, appointment_id):
    """One resident's visit: data, checklist, actions, outcome, follow-up."""
    appointment = get_object_or_404(
        Appointment.objects.select_related(
            "slot", "slot__team", "service", "queue_team", "counter", "case"
        ),
        pk=appointment_id,
    )
    log_personal_data_access(request=request, appointment=appointment, what=VIEWED)
    finish_form = FinishForm(request.POST or None)
    if request.method == "POST" and finish_form.is_valid():
        try:
            queue.finish(
                appointment_id=appointment.pk,
                outcome=finish_form.cleaned_data["outcome"],
                note=finish_form.cleaned_data["note"],
                actor=request.user,
            )
        except BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Visit finished."))
        return redirect("caseworkers:visit", appointment_id=appointment.pk)
    return render(
        request,
        "caseworkers/visit.html",
        {
            "appointment": appointment,
            "finish_form": finish_form,
            "forward_form": ForwardForm(exclude_team=appointment.queue_team),
            "max_calls": settings.MAX_UNANSWERED_CALLS,
            "follow_up_due": appointment.status == Status.COMPLETED
            and appointment.service.follow_up_service_id
            and not appointment.case.appointments.exclude(pk=appointment.pk)
            .filter(channel="follow_up", status__in=("booked", "checked_in"))
            .exists()
            if appointment.case_id
            else False,
        },
    )


@require_POST
@role_required(*QUEUE_ROLES)
def forward(request, appointment_id):
    appointment = get_object_or_404(
        Appointment.objects.select_related("queue_team"), pk=appointment_id
    )
    form = ForwardForm(request.POST, exclude_team=appointment.queue_team)
    if not form.is_valid():
        messages.error(request, _("Please choose the team to forward to."))
        return redirect("caseworkers:visit", appointment_id=appointment.pk)
    try:
        queue.forward(
            appointment_id=appointment.pk, team=form.cleaned_data["team"], actor=request.user
        )
    except BookingError as error:
        messages.error(request, error.message)
        return redirect("caseworkers:visit", appointment_id=appointment.pk)
    messages.success(request, _("Forwarded to %(team)s.") % {"team": form.cleaned_data["team"]})
    return redirect("caseworkers:queue", team_id=appointment.queue_team_id)


@role_required(*QUEUE_ROLES)
def follow_up(request, appointment_id):
    """Book the second visit (e.g. card pickup) from the internal contingent."""
    appointment = get_object_or_404(
        Appointment.objects.select_related("service", "service__follow_up_service"),
        pk=appointment_id,
    )
    today = timezone.localdate()
    start = today + dt.timedelta(weeks=6)
    try:
        day_from = (
            dt.date.fromisoformat(request.GET.get("from", "")) if request.GET.get("from") else start
        )
    except ValueError:
        day_from = start
    day_from = max(day_from, today + dt.timedelta(days=1))
    if request.method == "POST":
        try:
            slot_id = int(request.POST.get("slot", ""))
            booked = queue.book_follow_up(
                appointment_id=appointment.pk, slot_id=slot_id, actor=request.user
            )
        except ValueError:
            messages.error(request, _("Please choose one of the free times."))
        except BookingError as error:
            messages.error(request, error.message)
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
        messages.error(request, error.message)
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


@role_required(*DAY_LIST_ROLES)
def day_list(request, team_id):
    """The team's appointments for a date: printable, or CSV for Excel (UTF-8 with BOM)."""
    team = _team(team_id)
    form = DayForm(request.GET or None)
    day = timezone.localdate()
    if form.is_valid() and form.cleaned_data.get("date"):
        day = form.cleaned_data["date"]
    appointments = list(queue.team_day(team, day=day))
    if request.GET.get("format") == "csv":
        log_personal_data_access(
            request=request,
            appointment=None,
            what=EXPORTED,
            team=team.pk,
            day=str(day),
            count=len(appointments),
        )
        return _csv(team, day, appointments)
    log_personal_data_access(
        request=request,
        appointment=None,
        what=VIEWED,
        team=team.pk,
        day=str(day),
        count=len(appointments),
    )
    return render(
        request,
        "caseworkers/day_list.html",
        {
            "team": team,
            "day": day,
            "form": form,
            "appointments": appointments,
            "csv_url": f"{reverse('caseworkers:day_list', args=[team.pk])}?date={day}&format=csv",
        },
    )


def _csv(team, day, appointments):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tagesliste-{team.pk}-{day}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Time"),
            _("Booking code"),
            _("Surname"),
            _("Given names"),
            _("Date of birth"),
            _("Concern"),
            _("Channel"),
            _("Status"),
            _("Waiting number"),
            _("Interpreter"),
        ]
    )
    for a in appointments:
        writer.writerow(
            [
                timezone.localtime(a.slot.start).strftime("%H:%M"),
                a.code,
                a.surname,
                a.given_names,
                a.date_of_birth.isoformat(),
                a.service.localized_name,
                a.get_channel_display(),
                a.get_status_display(),
                a.waiting_number,
                a.interpreter_language or (_("yes") if a.interpreter_needed else ""),
            ]
        )
    return response
