"""Retention (DSGVO Art. 5(1)(e)): personal data is pseudonymised or deleted when the period of
its category (the RETENTION_* settings) has ended; the statistics keep every figure.

`apply_retention` (the `apply_retention` command and the nightly task) handles every category
in batches of RETENTION_BATCH_SIZE, each batch in its own transaction, and is idempotent;
`pseudonymise_appointment` removes one ended appointment's data at once (a resident's request).
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..audit import log_event
from .categories import CATEGORIES, Category
from .pseudonymise import (
    NO_BIRTH_DATE,
    is_no_longer_stored,
    no_longer_stored_by_code,
    pseudonymise_appointment,
)

ACTION = "retention.applied"

__all__ = [
    "ACTION",
    "CATEGORIES",
    "NO_BIRTH_DATE",
    "Category",
    "apply_retention",
    "due_counts",
    "is_no_longer_stored",
    "no_longer_stored_by_code",
    "pseudonymise_appointment",
]


def due_counts(*, now=None):
    """{category: rows due now} — what a run would remove; changes nothing."""
    now = now or timezone.now()
    return {category.name: category.due(now).count() for category in CATEGORIES}


def _apply_category(category, *, now, batch_size, progress):
    done = 0
    while True:
        with transaction.atomic():
            pks = list(category.due(now).order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not pks:
                break
            changed = category.apply(pks, now)
        done += changed
        if progress:
            progress(category.name, changed)
        if changed == 0:
            break  # what is left is locked by someone else right now: the next run takes it
    return done


def apply_retention(*, now=None, dry_run=False, actor=None, progress=None, batch_size=None):
    """Pseudonymise or delete what is due in every category; returns {category: rows}.

    `dry_run` counts what is due and changes nothing. A real run writes one
    `retention.applied` event with the counts (no personal data). `progress(category, rows)`
    is called after each batch.
    """
    now = now or timezone.now()
    if dry_run:
        return due_counts(now=now)
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    counts = {}
    for category in CATEGORIES:
        counts[category.name] = _apply_category(
            category, now=now, batch_size=batch_size, progress=progress
        )
    log_event(action=ACTION, actor=actor, at=now, **counts)
    return counts
