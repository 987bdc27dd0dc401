"""Allocating one chunk of invitees in one transaction, in a number of queries that does not
grow with the chunk: lock the rows, plan in memory, take the places with the guarded UPDATE in
bulk (`places.take_places`), check the mailboxes, write appointments, invitations and events
in bulk. A crash loses the chunk's transaction only; a re-run continues with its rows.
"""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ..appointment_rows import create_appointments
from ..audit import log_events
from ..errors import ServiceNotBookable
from ..households import refused_by_limits
from ..models import Appointment, Channel, Contingent, Invitation, InvitationState, Slot
from ..people import Person
from ..places import bookable_conditions, free_places, take_places
from ..sql import update_by_pk
from .links import token_hash
from .planner import Decision, no_place_problem

# States from which (re-)allocation is tried: new rows, and those that failed or lost their
# appointment to a closure (after the supervisor opened capacity).
ALLOCATABLE = (
    InvitationState.IMPORTED,
    InvitationState.NO_PLACE,
    InvitationState.FAILED,
    InvitationState.CANCELLED,
)
ATTEMPTS_PER_ROW = 25
# The fields an allocation resets (lifecycle.move's extra fields of the old per-row path).
_RESET = {
    "problem": "",
    "delivery": "",
    "sent_at": None,
    "reminded_at": None,
    "answer_by": None,
    "cancelled_at": None,
}


def _guard(plan, now):
    """The conditions a planned slot must still meet, per (service, team) of the plan."""
    groups = {}
    for invitation, decision, place in plan:
        key = (invitation.service_id, decision.team.pk)
        groups.setdefault(key, (invitation.service, decision.team, set()))[2].add(place.pk)
    guard = Q(pk__in=[])
    for service, team, slot_ids in groups.values():
        guard |= Q(pk__in=slot_ids) & bookable_conditions(service, team, online=False, now=now)
    return guard


def _place_all(pending, planner, now):
    """Take a place for each (invitation, decision) of `pending`: plan, take in bulk, plan
    again for those whose slot was taken meanwhile. Returns (placed, homeless) where placed
    is a list of (invitation, decision, place) and homeless a list of (invitation, decision)."""
    placed, tried = [], {invitation.pk: set() for invitation, _d in pending}
    for _attempt in range(ATTEMPTS_PER_ROW):
        plan, homeless = [], []
        for invitation, decision in pending:
            place = planner.choose(
                service_id=invitation.service_id,
                team_id=decision.team.pk,
                first=decision.first,
                last=decision.last,
                exclude=tried[invitation.pk],
            )
            if place is None:
                homeless.append((invitation, decision))
                continue
            planner.took(place)
            plan.append((invitation, decision, place))
        wanted = {}
        for _i, _d, place in plan:
            wanted[place.pk] = wanted.get(place.pk, 0) + 1
        got = take_places(wanted, [Contingent.INTERNAL], _guard(plan, now)) if plan else {}
        pending = []
        for invitation, decision, place in plan:
            if got.get(place.pk, 0) > 0:
                got[place.pk] -= 1
                placed.append((invitation, decision, place))
                continue
            # Fewer places than planned were free: the slot is full (or no longer bookable).
            planner.lost(place)
            tried[invitation.pk].add(place.pk)
            pending.append((invitation, decision))
        if not pending:
            return placed, homeless
    return placed, homeless + pending


def _refuse_over_limits(placed, planner):
    """Drop (and give back the places of) those a mailbox limit or an active appointment of
    the same person refuses; returns (kept, refused)."""
    refused_at = refused_by_limits([(i.person, i.service) for i, _d, _p in placed])
    if not refused_at:
        return placed, []
    kept, refused, giving = [], [], {}
    for index, entry in enumerate(placed):
        if index not in refused_at:
            kept.append(entry)
            continue
        invitation, _decision, place = entry
        giving[place.pk] = giving.get(place.pk, 0) + 1
        planner.took(place, -1)
        refused.append(invitation)
    free_places(giving)
    return kept, refused


def _write_allocated(placed, *, actor, now):
    appointments = create_appointments(
        places=[
            (
                Slot(pk=place.pk, start=place.start, team_id=decision.team.pk),
                invitation.service,
                invitation.person,
            )
            for invitation, decision, place in placed
        ],
        channel=Channel.INVITATION,
        now=now,
        actor=actor,
    )
    rows, hashes, links = [], {}, {}
    for (invitation, decision, _place), appointment in zip(placed, appointments, strict=True):
        invitation.appointment = appointment
        # The invitation's own link replaces the random token nobody has seen.
        hashes[appointment.pk] = token_hash(invitation)
        links[invitation.pk] = (appointment.pk, decision.first, decision.last)
        rows.append(invitation)
    update_by_pk(Appointment.objects.all(), {"token_hash": hashes})
    update_by_pk(
        Invitation.objects.filter(state__in=ALLOCATABLE),
        {
            "appointment": {pk: link[0] for pk, link in links.items()},
            "window_first": {pk: link[1] for pk, link in links.items()},
            "window_last": {pk: link[2] for pk, link in links.items()},
        },
        state=InvitationState.ALLOCATED,
        allocated_at=now,
        **_RESET,
    )
    log_events(
        {
            "action": f"invitation.{InvitationState.ALLOCATED.value}",
            "appointment": invitation.appointment,
            "actor": actor,
            "at": now,
            "invitation": invitation.pk,
            "from_state": invitation.state,
            "batch": invitation.batch_id,
        }
        for invitation in rows
    )


def _write_marks(marks, *, actor, now):
    """Record why no place was reserved: (invitation, state, problem) each."""
    update_by_pk(
        Invitation.objects.filter(state__in=ALLOCATABLE),
        {
            "state": {invitation.pk: state for invitation, state, _problem in marks},
            "problem": {invitation.pk: str(problem)[:300] for invitation, _s, problem in marks},
        },
    )
    log_events(
        {
            "action": f"invitation.{InvitationState(state).value}",
            "appointment_id": invitation.appointment_id,
            "actor": actor,
            "at": now,
            "invitation": invitation.pk,
            "from_state": invitation.state,
        }
        for invitation, state, _problem in marks
    )


@transaction.atomic
def allocate_chunk(ids, *, planner, actor=None, now):
    """Reserve appointments for the invitees `ids` still waiting for one, in one transaction;
    returns {state: count}. Rows another run holds are waited for, then skipped if done."""
    order = {pk: n for n, pk in enumerate(ids)}
    invitations = sorted(
        Invitation.objects.select_for_update()
        .filter(pk__in=ids, state__in=ALLOCATABLE)
        .order_by("pk"),
        key=lambda i: order[i.pk],
    )
    planner.attach_services(invitations)
    marks, pending = [], []
    for invitation in invitations:
        decision = planner.decide(invitation)
        if decision.state is None and not invitation.service.active:
            decision = Decision(state=InvitationState.FAILED, problem=ServiceNotBookable().message)
        if decision.state is None:
            pending.append((invitation, decision))
        else:
            marks.append((invitation, decision.state, decision.problem))
    for invitation, _decision in pending:
        invitation.person = Person.of(invitation)
    placed, homeless = _place_all(pending, planner, now)
    marks += [(i, InvitationState.NO_PLACE, no_place_problem(d)) for i, d in homeless]
    placed, refused = _refuse_over_limits(placed, planner)
    problem = _("This person (or e-mail address) already has an open appointment for it.")
    marks += [(invitation, InvitationState.FAILED, problem) for invitation in refused]
    # Back in the order of the batch, as the per-row allocation wrote them.
    placed.sort(key=lambda entry: order[entry[0].pk])
    marks.sort(key=lambda entry: order[entry[0].pk])
    if placed:
        _write_allocated(placed, actor=actor, now=now)
    if marks:
        _write_marks(marks, actor=actor, now=now)
    counts = {}
    for state in [InvitationState.ALLOCATED] * len(placed) + [m[1] for m in marks]:
        counts[state] = counts.get(state, 0) + 1
    return counts
