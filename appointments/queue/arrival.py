"""Arrivals: check-in with waiting numbers (and the readmission of a no-show of today) and
walk-ins from the team's daily contingent."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from .. import booking, lifecycle
from ..audit import log_event
from ..errors import (
    ConfirmationRequired,
    InvalidSurname,
    LimitReached,
    NotResponsible,
    ReasonRequired,
    TooEarly,
    TooLate,
    TransitionNotAllowed,
    WalkInsExhausted,
    WrongDay,
    WrongTeam,
)
from ..models import ACTIVE_STATUSES, Appointment, Channel, Contingent, Priority, Slot, Status
from ..responsibility import responsible_team
from .order import sequence


def next_waiting_number(team, *, now):
    """The team's next waiting number of the day, e.g. "B-017" (in the caller's transaction)."""
    rows = sequence(team, timezone.localdate(now))
    rows.update(last=F("last") + 1)
    return f"{team.waiting_prefix}-{rows.get().last:03d}"


@transaction.atomic
def check_in(*, appointment_id, actor=None, accept_late=False, readmit=False, now=None):
    """Reception checks a booked resident in: a waiting number, and the team's queue.

    A resident marked as no-show today who turns up after all is admitted again, but only
    with `readmit` (reception confirms); otherwise ConfirmationRequired says so.
    """
    now = now or timezone.now()
    appointment = Appointment.objects.select_related("slot__team", "queue_team").get(
        pk=appointment_id
    )
    if appointment.status == Status.NO_SHOW:
        return _readmit(appointment, actor=actor, confirmed=readmit, now=now)
    if appointment.status != Status.BOOKED:
        raise TransitionNotAllowed(
            _("Only booked appointments can be checked in (this one is “%(status)s”).")
            % {"status": appointment.get_status_display()}
        )
    start = appointment.slot.start
    if timezone.localdate(start) != timezone.localdate(now):
        raise WrongDay()
    if now < start - dt.timedelta(minutes=settings.ARRIVAL_EARLY_MINUTES):
        raise TooEarly()
    late = now > start + dt.timedelta(minutes=settings.ARRIVAL_LATE_MINUTES)
    if now > start + dt.timedelta(minutes=settings.ARRIVAL_REFUSE_MINUTES) and not accept_late:
        raise TooLate()
    team = appointment.slot.team
    return lifecycle.move(
        appointment_id=appointment.pk,
        to_status=Status.CHECKED_IN,
        actor=actor,
        now=now,
        extra_fields={
            "queue_team": team,
            "waiting_number": next_waiting_number(team, now=now),
            "arrived_late": late,
        },
        late=late,
    )


def _readmit(appointment, *, actor, confirmed, now):
    marked_at = appointment.no_show_at
    if marked_at is None or timezone.localdate(marked_at) != timezone.localdate(now):
        raise TransitionNotAllowed(
            _("Only a resident marked as not there today can be admitted again.")
        )
    if not confirmed:
        raise ConfirmationRequired(
            _(
                "This resident was marked as not there (no-show) at %(time)s. Admit them to "
                "the queue again?"
            )
            % {"time": formats.time_format(timezone.localtime(marked_at), "H:i")}
        )
    duplicate = (
        Appointment.objects.filter(
            surname_key=appointment.surname_key,
            date_of_birth=appointment.date_of_birth,
            email_key=appointment.email_key,
            service_id=appointment.service_id,
            status__in=ACTIVE_STATUSES,
        )
        .exclude(pk=appointment.pk)
        .exists()
    )
    if duplicate:
        raise LimitReached(
            _("This person already has another open appointment for this concern: use that.")
        )
    team = appointment.queue_team or appointment.slot.team
    return lifecycle.move(
        appointment_id=appointment.pk,
        to_status=Status.CHECKED_IN,
        actor=actor,
        now=now,
        extra_fields={
            "queue_team": team,
            "waiting_number": appointment.waiting_number or next_waiting_number(team, now=now),
            "call_count": 0,
            "parked_at": None,
            "counter": None,
            "served_by": None,
        },
        readmitted=True,
        no_show_at=marked_at.isoformat(),
    )


def walk_in_team(*, service, person, team=None, override_reason=""):
    """The team of a walk-in: the responsible one for the service and surname (as for a
    booking); another `team` only with an override reason (where no rule names a team, the
    chosen one). Returns (team, overridden)."""
    try:
        responsible = responsible_team(
            service=service, surname=person.routing_surname, nationality=person.nationality
        )
    except (NotResponsible, InvalidSurname):
        responsible = None
    if team is None:
        if responsible is None:
            raise NotResponsible(
                _("No team is responsible for this concern and surname: choose the team.")
            )
        return responsible, False
    # with no rule for this service and name there is nothing to contradict the choice
    if responsible is None or team.pk == responsible.pk:
        return team, False
    if not override_reason.strip():
        raise WrongTeam(
            _(
                "%(team)s is responsible for this concern and surname. Choose it, or tick "
                "“Other team than the responsible one” and give a reason."
            )
            % {"team": responsible.name}
        )
    return team, True


def _take_walk_in_place(team, *, now, beyond_contingent, reason, by_supervisor):
    """Count the walk-in against the team's day; past the contingent only when allowed.
    Returns True when the place was one beyond the contingent."""
    rows = sequence(team, timezone.localdate(now))
    if rows.filter(walk_ins__lt=team.walk_in_daily_limit).update(walk_ins=F("walk_ins") + 1):
        return False
    if not beyond_contingent:
        raise WalkInsExhausted()
    if not by_supervisor and not reason.strip():
        raise ReasonRequired(
            _("An emergency beyond today's walk-in places needs a reason (or a supervisor).")
        )
    rows.update(walk_ins=F("walk_ins") + 1)
    return True


@transaction.atomic
def add_walk_in(
    *,
    service,
    person,
    team=None,
    priority=Priority.WALK_IN,
    override_reason="",
    beyond_contingent=False,
    beyond_reason="",
    by_supervisor=False,
    actor=None,
    now=None,
):
    """A visit without appointment (an emergency, e.g. the permit expires within days, or a
    normal walk-in), from the team's daily walk-in contingent; the resident joins the queue.

    The team follows from service and surname as for bookings; another `team` needs an
    `override_reason`. An emergency may go past the contingent with `beyond_contingent`, given
    a `beyond_reason` or `by_supervisor`. Both exceptions are audited.
    """
    now = now or timezone.now()
    if priority not in (Priority.WALK_IN, Priority.EMERGENCY):
        priority = Priority.WALK_IN
    team, overridden = walk_in_team(
        service=service, person=person, team=team, override_reason=override_reason
    )
    beyond = _take_walk_in_place(
        team,
        now=now,
        beyond_contingent=beyond_contingent and priority == Priority.EMERGENCY,
        reason=beyond_reason,
        by_supervisor=by_supervisor,
    )
    # A walk-in gets its own closed one-place slot, so every slot keeps booked == holders.
    slot = Slot.objects.create(
        team=team,
        start=now,
        end=now + dt.timedelta(minutes=service.duration_minutes),
        contingent=Contingent.INTERNAL,
        capacity=1,
        booked=1,
        closed=True,
    )
    appointment, _token = booking.create_appointment(
        slot=slot,
        service=service,
        person=person,
        channel=Channel.WALK_IN,
        status=Status.BOOKED,
        priority=priority,
        actor=actor,
        now=now,
        duplicate_error=LimitReached(
            _("This person already has an open appointment for this concern: check them in.")
        ),
    )
    if overridden:
        log_event(
            action="walk_in.team_overridden",
            appointment=appointment,
            actor=actor,
            at=now,
            team=team.pk,
            reason=override_reason.strip(),
        )
    if beyond:
        log_event(
            action="walk_in.beyond_contingent",
            appointment=appointment,
            actor=actor,
            at=now,
            team=team.pk,
            reason=beyond_reason.strip(),
            by_supervisor=by_supervisor,
        )
    return lifecycle.move(
        appointment_id=appointment.pk,
        to_status=Status.CHECKED_IN,
        actor=actor,
        now=now,
        extra_fields={"queue_team": team, "waiting_number": next_waiting_number(team, now=now)},
    )
