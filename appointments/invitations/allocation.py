"""Reserving an appointment for each invitee: internal contingent of the responsible team, in
the target window before the permit expires, on the least-loaded day first.

Every place is taken through `booking.book` (channel "invitation"), so the guarded UPDATE
makes overbooking impossible however many allocations and online bookings run at once. The
free places are read once per run and kept in memory; a place someone else took meanwhile
(SlotFull) is simply marked and the next best one tried.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import background, booking
from ..audit import log_event
from ..availability import local_datetime, office_closed
from ..errors import (
    BookingError,
    InvitationTransitionNotAllowed,
    LimitReached,
    SlotFull,
    SlotUnavailable,
)
from ..models import (
    Appointment,
    Channel,
    Contingent,
    Invitation,
    InvitationBatch,
    InvitationState,
    InvitationWindow,
    Slot,
)
from ..names import routing_letter
from ..people import Person
from ..responsibility import responsible_team
from ..scheduling import generate_slots
from . import lifecycle
from .links import token_hash
from .windows import target_window, window_weeks  # noqa: F401 - read from here by the screens

logger = logging.getLogger(__name__)

# States from which (re-)allocation is tried: new rows, and those that failed or lost their
# appointment to a closure (after the supervisor opened capacity).
ALLOCATABLE = (
    InvitationState.IMPORTED,
    InvitationState.NO_PLACE,
    InvitationState.FAILED,
    InvitationState.CANCELLED,
)
ATTEMPTS_PER_ROW = 25
PROGRESS_EVERY = 50


@dataclass
class _Place:
    pk: int
    start: dt.datetime
    day: dt.date
    capacity: int
    booked: int

    @property
    def free(self):
        return self.capacity - self.booked


class Planner:
    """Free internal places per (service, team), read lazily once per run, kept up to date."""

    def __init__(self, *, now, horizon=None):
        self.now = now
        self.horizon = horizon  # read up to this day at once, so one read serves the run
        self.places = {}
        self.teams = {}

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
        by_day = {}
        for pk, start, capacity, taken in rows:
            place = _Place(pk, start, timezone.localdate(start), capacity, taken)
            if office_closed(place.day):
                continue  # a slot left on a closed day (made before the day was closed)
            by_day.setdefault(place.day, []).append(place)
        return by_day, last_day

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
        days = self._days(service_id, team_id, last)
        best = None
        for day, places in days.items():
            if not first <= day <= last:
                continue
            open_places = [p for p in places if p.free > 0 and p.pk not in exclude]
            if not open_places:
                continue
            capacity = sum(p.capacity for p in places)
            load = sum(p.booked for p in places) / capacity
            if best is None or (load, day) < best[0]:
                best = ((load, day), open_places)
        if best is None:
            return None
        return max(best[1], key=lambda p: (p.free, -p.start.timestamp()))

    @staticmethod
    def took(place):
        place.booked += 1

    @staticmethod
    def lost(place):
        place.booked = place.capacity


def _mark(invitation, state, problem, *, actor, now):
    """Record why no place was reserved; None if another run allocated the row meanwhile."""
    try:
        lifecycle.move(
            invitation_id=invitation.pk,
            to_state=state,
            actor=actor,
            now=now,
            extra_fields={"problem": str(problem)[:300]},
        )
    except InvitationTransitionNotAllowed:
        return None
    return state


def _reserve(invitation, place, first, last, *, actor, now):
    """Book `place` for the invitee and record it, in one transaction; False if the row was
    allocated meanwhile by another run."""
    with transaction.atomic():
        # Lock the row: of two runs over the same batch, only one books this invitee.
        if not list(
            Invitation.objects.select_for_update()
            .filter(pk=invitation.pk, state__in=ALLOCATABLE)
            .values_list("pk", flat=True)
        ):
            return False
        appointment, _token = booking.book(
            service=invitation.service,
            slot_id=place.pk,
            person=Person.of(invitation),
            channel=Channel.INVITATION,
            actor=actor,
            now=now,
        )
        invitation.appointment_id = appointment.pk
        # The invitation's own link replaces the random token nobody has seen.
        Appointment.objects.filter(pk=appointment.pk).update(token_hash=token_hash(invitation))
        lifecycle.move(
            invitation_id=invitation.pk,
            to_state=InvitationState.ALLOCATED,
            actor=actor,
            now=now,
            extra_fields={
                "appointment": appointment,
                "window_first": first,
                "window_last": last,
                "problem": "",
                "delivery": "",
                "sent_at": None,
                "reminded_at": None,
                "answer_by": None,
                "cancelled_at": None,
            },
            batch=invitation.batch_id,
        )
    return True


def allocate_one(invitation, *, planner, windows=None, offer_earliest=False, actor=None, now):
    """Reserve an appointment for one invitee; returns the resulting state.

    `offer_earliest`: a window already passed becomes the earliest free time instead.
    """
    today = timezone.localdate(now)
    first, last = target_window(
        expiry_date=invitation.expiry_date,
        service=invitation.service,
        today=today,
        windows=windows,
    )
    if first > last and offer_earliest:
        last = first + dt.timedelta(days=settings.INVITATION_EARLIEST_SPAN_DAYS)
    if first > last:
        return _mark(
            invitation,
            InvitationState.NO_PLACE,
            _("The target window has passed."),
            actor=actor,
            now=now,
        )
    team = planner.team_for(invitation)
    if isinstance(team, BookingError):
        return _mark(invitation, InvitationState.FAILED, team.message, actor=actor, now=now)
    tried = set()
    for _attempt in range(ATTEMPTS_PER_ROW):
        place = planner.choose(
            service_id=invitation.service_id,
            team_id=team.pk,
            first=first,
            last=last,
            exclude=tried,
        )
        if place is None:
            break
        try:
            if not _reserve(invitation, place, first, last, actor=actor, now=now):
                return None  # another run got there first
        except (SlotFull, SlotUnavailable):
            planner.lost(place)
            tried.add(place.pk)
            continue
        except LimitReached:
            return _mark(
                invitation,
                InvitationState.FAILED,
                _("This person (or e-mail address) already has an open appointment for it."),
                actor=actor,
                now=now,
            )
        except BookingError as error:
            return _mark(invitation, InvitationState.FAILED, error.message, actor=actor, now=now)
        planner.took(place)
        return InvitationState.ALLOCATED
    return _mark(
        invitation,
        InvitationState.NO_PLACE,
        _("No free place of %(team)s between %(first)s and %(last)s.")
        % {
            "team": team.name,
            "first": first.strftime("%d.%m.%Y"),
            "last": last.strftime("%d.%m.%Y"),
        },
        actor=actor,
        now=now,
    )


def allocate_batch(*, batch_id, actor=None, now=None, progress=None):
    """Reserve appointments for every invitee of a batch still waiting for one (resumable,
    safe to run twice). Returns {state: count}; `progress(done, total)` is called as it goes.
    """
    now = now or timezone.now()
    ids = list(
        Invitation.objects.filter(batch_id=batch_id, state__in=ALLOCATABLE)
        .order_by("expiry_date", "row_number")
        .values_list("pk", flat=True)
    )
    InvitationBatch.objects.filter(pk=batch_id).update(
        progress_total=len(ids),
        progress_done=0,
        allocation_heartbeat_at=timezone.now(),
        allocation_finished_at=None,
    )
    windows = {w.service_id: w for w in InvitationWindow.objects.all()}
    offer_earliest = InvitationBatch.objects.filter(pk=batch_id, offer_earliest=True).exists()
    latest = Invitation.objects.filter(batch_id=batch_id, state__in=ALLOCATABLE).aggregate(
        latest=Max("expiry_date")
    )["latest"]
    if latest:
        # Windows lie up to weeks beyond the rolling slot horizon: materialise slots that far
        # (idempotent; online places there stay closed to residents by the release policy).
        days = min((latest - timezone.localdate(now)).days, settings.INVITATION_SLOT_HORIZON_DAYS)
        if days > settings.SLOT_HORIZON_DAYS:
            generate_slots(days=days, now=now)
    planner = Planner(now=now, horizon=latest)
    counts = {}
    for start in range(0, len(ids), PROGRESS_EVERY):
        chunk = ids[start : start + PROGRESS_EVERY]
        rows = Invitation.objects.filter(pk__in=chunk, state__in=ALLOCATABLE).select_related(
            "service"
        )
        for invitation in sorted(rows, key=lambda i: chunk.index(i.pk)):
            state = allocate_one(
                invitation,
                planner=planner,
                windows=windows,
                offer_earliest=offer_earliest,
                actor=actor,
                now=now,
            )
            if state:
                counts[state] = counts.get(state, 0) + 1
        done = min(start + PROGRESS_EVERY, len(ids))
        InvitationBatch.objects.filter(pk=batch_id).update(
            progress_done=done, allocation_heartbeat_at=timezone.now()
        )
        if progress:
            progress(done, len(ids))
    InvitationBatch.objects.filter(pk=batch_id).update(allocation_finished_at=timezone.now())
    logger.info(
        "invitation batch %s allocated: %s", batch_id, {str(k): v for k, v in counts.items()}
    )
    return counts


def request_allocation(*, batch_id, actor=None):
    """Ask a worker to allocate the batch after the commit (the sweeper resumes a lost run)."""
    now = timezone.now()
    InvitationBatch.objects.filter(pk=batch_id).update(
        allocation_requested_at=now,
        allocation_finished_at=None,
        allocation_heartbeat_at=None,
        progress_done=0,
        progress_total=Invitation.objects.filter(batch_id=batch_id, state__in=ALLOCATABLE).count(),
    )
    log_event(action="invitation.allocation_requested", actor=actor, at=now, batch=batch_id)
    background.enqueue_after_commit("appointments.tasks.allocate_invitations", batch_id)
