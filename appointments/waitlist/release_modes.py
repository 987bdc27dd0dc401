"""Release modes per service: "first come" (a released day is public at once) or "allocation"
(a released day is first offered to the waitlist, in rank order, and public only when the
offers' answer window has passed).

Every place moves through the allocator (allocation.offer_freed_place: the booking's guarded
place-taking update, then the lifecycle table); a DayRelease row per service, team and day
records the release and when the day opens to the public (availability.withheld_days). The
row is created once (unique constraint): a second run, or a concurrent one, offers nothing.
"""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from ..audit import log_event
from ..availability import allocation_days, day_bounds
from ..models import (
    Contingent,
    DayRelease,
    ReleaseMode,
    Service,
    Slot,
    Team,
    WishState,
)
from . import allocation


def waiting_wishes(service):
    """How many confirmed wishes wait for `service` (shown before switching the mode)."""
    return service.wishes.filter(state=WishState.ACTIVE).count()


def services_with_policy():
    """Active services with their mode, reconfirmation policy and waiting wishes (one query)."""
    return Service.objects.filter(active=True).annotate(
        waiting=Count("wishes", filter=Q(wishes__state=WishState.ACTIVE))
    )


@transaction.atomic
def configure_service(*, service_id, release_mode, reconfirmation_days, actor=None, now=None):
    """Set a service's release mode and reconfirmation days (audited); returns the service.
    Switching to allocation reserves the days released from now on for the waitlist."""
    now = now or timezone.now()
    service = Service.objects.select_for_update().get(pk=service_id)
    changes = {}
    if release_mode != service.release_mode:
        changes["release_mode"] = [service.release_mode, release_mode]
        service.release_mode = release_mode
        service.release_mode_changed_at = now
    if reconfirmation_days != service.reconfirmation_days:
        changes["reconfirmation_days"] = [service.reconfirmation_days, reconfirmation_days]
        service.reconfirmation_days = reconfirmation_days
    if changes:
        service.save(
            update_fields=["release_mode", "release_mode_changed_at", "reconfirmation_days"]
        )
        log_event(
            action="service.release_policy",
            actor=actor,
            at=now,
            service=service.pk,
            waiting=waiting_wishes(service),
            **changes,
        )
    return service


def _release_day(service, team, day, *, now):
    """Offer the free online places of one day to the waitlist, once; returns the offers."""
    with transaction.atomic():
        release, created = DayRelease.objects.get_or_create(
            service=service, team=team, day=day, defaults={"released_at": now, "public_at": now}
        )
        if not created:
            return []
        start, end = day_bounds(day)
        slot_ids = (
            Slot.objects.filter(
                team=team,
                rule__services=service,
                contingent=Contingent.ONLINE,
                closed=False,
                start__gte=max(start, now),
                start__lt=end,
            )
            .order_by("start")
            .values_list("pk", flat=True)
        )
        offers = []
        for slot_id in list(slot_ids):
            offers += allocation.offer_freed_place(slot_id=slot_id, now=now)
        # What no wish took goes public when the last answer window has passed.
        public_at = max((offer.expires_at for offer in offers), default=now)
        DayRelease.objects.filter(pk=release.pk).update(public_at=public_at, offers=len(offers))
        log_event(
            action="day.released",
            at=now,
            service=service.pk,
            team=team.pk,
            day=day.isoformat(),
            offers=len(offers),
            public_at=public_at.isoformat(),
        )
        return offers


def release_days(*, now=None):
    """For every service in allocation mode, release its newly released days to the waitlist
    (idempotent, safe to run concurrently); returns how many offers were made."""
    now = now or timezone.now()
    made = 0
    services = Service.objects.filter(
        active=True, bookable_online=True, release_mode=ReleaseMode.ALLOCATION
    )
    for service in services:
        days = allocation_days(service, now=now)
        if not days:
            continue
        teams = Team.objects.filter(active=True, opening_rules__services=service).distinct()
        for team in teams:
            done = set(
                DayRelease.objects.filter(service=service, team=team, day__in=days).values_list(
                    "day", flat=True
                )
            )
            for day in sorted(set(days) - done):
                made += len(_release_day(service, team, day, now=now))
    return made
