"""The in-memory plan of an allocation: which invitee goes to which internal place of the
responsible team, in the target window before the permit expires, on the least-loaded day
first. Reads slots and teams once per run; writes nothing (invitations.bulk does).
"""

import bisect
import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ..availability import local_datetime, office_closed
from ..errors import BookingError
from ..models import Contingent, InvitationState, Service, Slot
from ..names import routing_letter
from ..responsibility import responsible_team
from .windows import target_window


@dataclass
class Day:
    """The places of one day, with their sums kept up to date (the day's load)."""

    day: dt.date
    places: list = field(default_factory=list)
    capacity: int = 0
    booked: int = 0


@dataclass
class Place:
    pk: int
    start: dt.datetime
    day: Day = field(repr=False, compare=False)
    capacity: int
    booked: int

    @property
    def free(self):
        return self.capacity - self.booked


@dataclass
class Decision:
    """Where an invitee may go (window and team), or why nowhere (state and problem)."""

    first: dt.date = None
    last: dt.date = None
    team: object = None
    state: str = None
    problem: str = ""


class Planner:
    """Free internal places per (service, team), read lazily once per run, kept up to date."""

    def __init__(self, *, now, horizon=None, windows=None, offer_earliest=False):
        self.now = now
        self.horizon = horizon  # read up to this day at once, so one read serves the run
        self.windows = windows
        self.offer_earliest = offer_earliest
        self.places = {}
        self.teams = {}
        self.services = {}

    def forget_places(self):
        """Read the places anew (after a chunk was rolled back, its takes never happened)."""
        self.places = {}

    def attach_services(self, invitations):
        """Give each invitation its service from a per-run cache (one read for new ones)."""
        missing = {i.service_id for i in invitations} - set(self.services)
        if missing:
            self.services.update(Service.objects.in_bulk(missing))
        for invitation in invitations:
            invitation.service = self.services[invitation.service_id]

    def team_for(self, invitation):
        """The responsible team (cached per service, routing letter and nationality)."""
        nationality = str(invitation.nationality)
        key = (invitation.service_id, routing_letter(invitation.routing_surname), nationality)
        if key not in self.teams:
            try:
                self.teams[key] = responsible_team(
                    service=invitation.service,
                    surname=invitation.routing_surname,
                    nationality=nationality,
                )
            except BookingError as error:
                self.teams[key] = error
        return self.teams[key]

    def decide(self, invitation):
        """The window and team of `invitation`, or the state and problem it ends in."""
        first, last = target_window(
            expiry_date=invitation.expiry_date,
            service=invitation.service,
            today=timezone.localdate(self.now),
            windows=self.windows,
        )
        if first > last and self.offer_earliest:
            last = first + dt.timedelta(days=settings.INVITATION_EARLIEST_SPAN_DAYS)
        if first > last:
            return Decision(
                state=InvitationState.NO_PLACE, problem=_("The target window has passed.")
            )
        team = self.team_for(invitation)
        if isinstance(team, BookingError):
            return Decision(state=InvitationState.FAILED, problem=team.message)
        return Decision(first=first, last=last, team=team)

    def _load(self, service_id, team_id, last_day):
        earliest = local_datetime(
            timezone.localdate(self.now) + dt.timedelta(days=settings.INVITATION_MIN_LEAD_DAYS),
            dt.time.min,
        )
        rows = (
            Slot.objects.filter(
                team_id=team_id,
                rule__services=service_id,
                contingent=Contingent.INTERNAL,
                closed=False,
                start__gte=max(earliest, self.now),
                start__lt=local_datetime(last_day + dt.timedelta(days=1), dt.time.min),
            )
            .order_by("start")
            .values_list("pk", "start", "capacity", "booked")
        )
        days = {}
        for pk, start, capacity, taken in rows:
            day = timezone.localdate(start)
            if office_closed(day):
                continue  # a slot left on a closed day (made before the day was closed)
            group = days.setdefault(day, Day(day))
            group.places.append(Place(pk, start, group, capacity, taken))
            group.capacity += capacity
            group.booked += taken
        ordered = sorted(days)
        return (ordered, [days[day] for day in ordered]), last_day

    def _days(self, service_id, team_id, last_day):
        key = (service_id, team_id)
        loaded = self.places.get(key)
        if loaded is None or loaded[1] < last_day:
            loaded = self._load(service_id, team_id, max(last_day, self.horizon or last_day))
            self.places[key] = loaded
        return loaded[0]

    def choose(self, *, service_id, team_id, first, last, exclude=()):
        """The free place on the least-loaded day of [first, last] (earliest day on a tie),
        and on that day the one with the most free places (earliest on a tie)."""
        dates, days = self._days(service_id, team_id, last)
        best = None
        for day in days[bisect.bisect_left(dates, first) : bisect.bisect_right(dates, last)]:
            if day.booked >= day.capacity or (
                best is not None and day.booked * best[0][1] >= best[0][0] * day.capacity
            ):
                continue  # full, or not less loaded than the best so far (an earlier day)
            open_places = [p for p in day.places if p.free > 0 and p.pk not in exclude]
            if open_places:
                best = ((day.booked, day.capacity), open_places)
        if best is None:
            return None
        return max(best[1], key=lambda p: (p.free, -p.start.timestamp()))

    @staticmethod
    def took(place, count=1):
        place.booked += count
        place.day.booked += count

    @staticmethod
    def lost(place):
        Planner.took(place, place.capacity - place.booked)


def no_place_problem(decision):
    return _("No free place of %(team)s between %(first)s and %(last)s.") % {
        "team": decision.team.name,
        "first": decision.first.strftime("%d.%m.%Y"),
        "last": decision.last.strftime("%d.%m.%Y"),
    }
