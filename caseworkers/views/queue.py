"""The team's queue (live), calling the next resident, and the day list (print or CSV)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appointments import board_version, csv_export, queue, selectors
from appointments.errors import NoCounter
from appointments.models import Counter, Team
from appointments.names import surname_key
from appointments.views.errors import errors_as_messages, show_error

from .. import board
from ..access import sees_everything, team_or_404, teams_of
from ..audit import EXPORTED, VIEWED, log_personal_data_access
from ..forms.queue import DayForm, NameSearchForm
from ..permissions import role_required
from ..roles import ADMINISTRATOR, CASEWORKER, RECEPTION, SUPERVISOR

QUEUE_ROLES = (CASEWORKER, SUPERVISOR, ADMINISTRATOR)
DAY_LIST_ROLES = (CASEWORKER, RECEPTION, SUPERVISOR, ADMINISTRATOR)


def _board_etag(team, now=None):
    """(now, ETag) of the team's board: it is drawn as of the minute, so it stays the same for
    the minute unless the day's board version moves (read before the board itself; with the
    team when it comes annotated by board_version.annotate)."""
    now = now or _minute()
    version = getattr(team, "board_version", None)
    if version is None:
        version = board_version.current(team, day=timezone.localdate(now))
    stamp = timezone.localtime(now).strftime("%Y%m%d%H%M")
    target = settings.WAITING_TARGET_MINUTES
    return now, f'"board-{team.pk}-{stamp}-{version}-{get_language()}-{target}"'


def _minute():
    return timezone.now().replace(second=0, microsecond=0)


def _team(request, team_id):
    """The active team if the user works for it (caseworkers/access.py), else 404."""
    return team_or_404(request, team_id, active=True)


def _teams_of(user):
    """The active teams the user may switch to (their own; every team if unassigned)."""
    teams, allowed = Team.objects.filter(active=True), teams_of(user)
    return teams if allowed is None else teams.filter(pk__in=allowed)


@role_required(*QUEUE_ROLES)
def team_queue(request, team_id):
    team = _team(request, team_id)
    counters = list(Counter.objects.filter(team=team, active=True))
    chosen = queue.counter_of_day(user=request.user, team=team)
    now, etag = _board_etag(team)
    return render(
        request,
        "caseworkers/queue.html",
        {
            "team": team,
            "teams": _teams_of(request.user),
            "counters": counters,
            "selected_counter": chosen.pk if chosen else None,
            "chosen_counter": chosen,
            "board": board.build(team, now, csrf=board.csrf_field(request)),
            "board_etag": etag,
            "target": settings.WAITING_TARGET_MINUTES,
        },
    )


@require_POST
@role_required(*QUEUE_ROLES)
def search(request, team_id):
    """Caseworkers find today's visits of the team by surname (a POST: no name in any address;
    every resident shown is logged as reception's search is)."""
    team = _team(request, team_id)
    form = NameSearchForm(request.POST)
    results = None
    if form.is_valid():
        key = surname_key(form.cleaned_data["surname"])
        results = [
            a
            for a in selectors.team_day(team)
            if key in (a.surname_key, surname_key(a.surname_latin or ""))
        ]
        for appointment in results:
            log_personal_data_access(request=request, appointment=appointment, what=VIEWED)
    return render(
        request,
        "caseworkers/queue_search.html",
        {"team": team, "form": form, "results": results},
    )


@role_required(*QUEUE_ROLES)
def team_queue_fragment(request, team_id):
    """The live part of the queue page, fetched every few seconds by static/js/refresh.js:
    304 while nothing of the team's day changed (board_version) and the minute is the same;
    otherwise the board of that version, drawn once for all screens (caseworkers/board.py)."""
    now = _minute()
    versioned = board_version.annotate(Team.objects.all(), day=timezone.localdate(now))
    team = team_or_404(request, team_id, queryset=versioned, active=True)
    now, etag = _board_etag(team, now)
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(board.fragment(request, team, now, etag))
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


def chosen_counter(request, team):
    """The active counter of the team sent with the form (remembered for the user's day from
    now on), else the one the user chose earlier today, else None."""
    counter_id = request.POST.get("counter", "")
    if counter_id.isdigit():
        counter = Counter.objects.filter(pk=counter_id, team=team, active=True).first()
        if counter is not None:
            return queue.choose_counter(user=request.user, counter=counter)
    return queue.counter_of_day(user=request.user, team=team)


@require_POST
@role_required(*QUEUE_ROLES)
def choose_counter(request, team_id):
    """Choose (or change) the counter of the day without calling anybody."""
    team = _team(request, team_id)
    counter_id = request.POST.get("counter", "")
    counter = (
        Counter.objects.filter(pk=counter_id, team=team, active=True).first()
        if counter_id.isdigit()
        else None
    )
    if counter is None:
        messages.error(request, NoCounter.default_message)
    else:
        queue.choose_counter(user=request.user, counter=counter)
        messages.success(
            request, _("Your counter today: %(counter)s.") % {"counter": counter.number}
        )
    return redirect("caseworkers:queue", team_id=team.pk)


@require_POST
@role_required(*QUEUE_ROLES)
def call_next(request, team_id):
    team = _team(request, team_id)
    counter = chosen_counter(request, team)
    if counter is None:
        show_error(request, NoCounter())
        return redirect("caseworkers:queue", team_id=team.pk)
    # an empty queue is news, not a failure
    with errors_as_messages(request, level=messages.INFO):
        appointment = queue.call_next(team=team, counter=counter, actor=request.user)
        messages.success(
            request,
            _("Called %(number)s to counter %(counter)s.")
            % {"number": appointment.waiting_number, "counter": counter.number},
        )
        return redirect("caseworkers:visit", appointment_id=appointment.pk)
    return redirect("caseworkers:queue", team_id=team.pk)


@role_required(*DAY_LIST_ROLES)
def day_list(request, team_id):
    """The team's appointments for a date: printable, or CSV for Excel (UTF-8 with BOM)."""
    team = _team(request, team_id)
    form = DayForm(request.GET or None)
    day = timezone.localdate()
    if form.is_bound and not form.is_valid():
        return _refused(request, team, form)
    if form.is_bound and form.cleaned_data.get("date"):
        day = form.cleaned_data["date"]
    if day != timezone.localdate() and not sees_everything(request.user):
        # other days' lists hold visits outside today's work: supervisors only
        raise Http404
    appointments = list(selectors.team_day(team, day=day))
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


def _refused(request, team, form):
    """An implausible date: the form with its message (or the message alone for a CSV link)."""
    if request.GET.get("format") == "csv":
        errors = "; ".join(str(e) for e in form.errors.get("date", ()))
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    return render(
        request,
        "caseworkers/day_list.html",
        {"team": team, "day": None, "form": form, "appointments": [], "csv_url": ""},
        status=400,
    )


def _csv(team, day, appointments):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tagesliste-{team.pk}-{day}.csv"'
    writer = csv_export.writer(response, delimiter=";")
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
                *(
                    (a.resident_name, "", "")
                    if a.is_pseudonymised
                    else (a.surname, a.given_names, a.date_of_birth.isoformat())
                ),
                a.service.localized_name,
                a.get_channel_display(),
                a.get_status_display(),
                a.waiting_number,
                a.interpreter_language or (_("yes") if a.interpreter_needed else ""),
            ]
        )
    return response
