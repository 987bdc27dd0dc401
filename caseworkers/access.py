"""Least privilege for residents' visits (issue 14): which appointments a staff member may open.

- Supervisors and administrators: every appointment, as before.
- Reception: today's visits of every team (they check in whoever comes).
- Caseworkers: today's visits of their teams (TeamMembership; with none assigned, of every
  team).
- Anything else (an older visit, another team's) only through the visit search, which asks
  for a reason, audits it and then opens that one visit for the rest of the day.

A visit out of reach answers 404, as if it did not exist: a guessed id tells nothing.
"""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from appointments.availability import day_bounds
from appointments.models import Appointment, Team

from .roles import ADMINISTRATOR, RECEPTION, SUPERVISOR, roles_of, staff_access

GRANTED_KEY = "visits_granted"  # session: {appointment id: the day the search opened it}


def sees_everything(user):
    return bool(roles_of(user) & {SUPERVISOR, ADMINISTRATOR})


def teams_of(user):
    """The team ids whose visits `user` works on, or None for every team."""
    if sees_everything(user) or RECEPTION in roles_of(user):
        return None
    return set(staff_access(user)[1]) or None


def team_allowed(user, team_id):
    teams = teams_of(user)
    return teams is None or int(team_id) in teams


def _plausible(pk):
    # ids past the database's integer range crash SQLite's lookups: they name nothing
    return 0 < int(pk) < 2**63


def team_or_404(request, team_id, queryset=None, **filters):
    """A team (of `queryset`, all by default) the user works for, else 404."""
    if not _plausible(team_id) or not team_allowed(request.user, team_id):
        raise Http404
    return get_object_or_404(Team if queryset is None else queryset, pk=team_id, **filters)


def _granted(request):
    today = timezone.localdate().isoformat()
    return [int(pk) for pk, day in request.session.get(GRANTED_KEY, {}).items() if day == today]


def visible_appointments(request, queryset=None):
    """`queryset` (all appointments by default) narrowed to what the logged-in user may open."""
    queryset = Appointment.objects.all() if queryset is None else queryset
    user = request.user
    if sees_everything(user):
        return queryset
    start, end = day_bounds(timezone.localdate())
    reach = Q(slot__start__gte=start, slot__start__lt=end)
    teams = teams_of(user)
    if teams is not None:
        reach &= Q(queue_team__in=teams) | Q(queue_team__isnull=True, slot__team__in=teams)
    return queryset.filter(reach | Q(pk__in=_granted(request)))


def visit_or_404(request, queryset, appointment_id):
    """The appointment if the user may open it, else 404."""
    if not _plausible(appointment_id):
        raise Http404
    found = visible_appointments(request, queryset).filter(pk=appointment_id).first()
    if found is None:
        raise Http404
    return found


def grant(request, appointment):
    """Open one visit found by the search for the rest of today (the search audits it)."""
    granted = dict(request.session.get(GRANTED_KEY, {}))
    granted[str(appointment.pk)] = timezone.localdate().isoformat()
    request.session[GRANTED_KEY] = granted
