"""Reserving an appointment for each invitee: internal contingent of the responsible team, in
the target window before the permit expires, on the least-loaded day first.

The invitees are taken in chunks, each in one transaction (invitations.bulk): planned in
memory (invitations.planner), their places taken with the guarded UPDATE in bulk, so
overbooking stays impossible however many allocations and online bookings run at once, and
their rows written in bulk. The free places are read once per run and kept in memory; a place
someone else took meanwhile is simply marked and the next best one tried.
"""

import logging

from django.conf import settings
from django.db import IntegrityError, OperationalError
from django.db.models import Max
from django.utils import timezone

from .. import background
from ..audit import log_event
from ..models import Invitation, InvitationBatch, InvitationWindow
from ..scheduling import generate_slots
from .bulk import ALLOCATABLE, allocate_chunk
from .planner import Planner
from .windows import target_window, window_weeks  # noqa: F401 - read from here by the screens

logger = logging.getLogger(__name__)

# Invitees per transaction (and per progress step): a crash loses at most one chunk's work.
CHUNK = 500
# A chunk rolled back by a concurrent booking of one of its persons (the unique index) or a
# deadlock is planned and written again, with the places read anew.
CHUNK_TRIES = 3


def _allocate_chunk(ids, *, planner, actor, now):
    for attempt in range(CHUNK_TRIES):
        try:
            return allocate_chunk(ids, planner=planner, actor=actor, now=now)
        except (IntegrityError, OperationalError) as error:
            if attempt == CHUNK_TRIES - 1:
                raise
            # The class only: the database's detail names the person (a unique key's values).
            logger.warning("invitation chunk rolled back (%s), trying again", type(error).__name__)
            planner.forget_places()


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
    planner = Planner(now=now, horizon=latest, windows=windows, offer_earliest=offer_earliest)
    counts = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for state, count in _allocate_chunk(chunk, planner=planner, actor=actor, now=now).items():
            counts[state] = counts.get(state, 0) + count
        done = min(start + CHUNK, len(ids))
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
