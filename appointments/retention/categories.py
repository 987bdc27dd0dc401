"""The categories of personal data and their retention rules: for each, what is due at `now`
(a queryset of primary keys) and what one batch of it does (in the caller's transaction).

Every rule is idempotent: what a batch handled is no longer due (pseudonymised or deleted).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db.models import CharField, Exists, F, Max, OuterRef, Q, Value
from django.db.models.functions import Concat
from django.utils.module_loading import import_string

from ..models import (
    ACTIVE_STATUSES,
    ENDED_WISH_STATES,
    AccessibilityFeedback,
    Appointment,
    EmailLock,
    Event,
    FallbackCounter,
    Invitation,
    InvitationBatch,
    InvitationState,
    OutboxMessage,
    OutboxStatus,
    Status,
    Wish,
)
from . import pseudonymise as p

STAFF_ACCESS_PREFIX = "personal_data."
# Invitation states in which the campaign still works on a row.
OPEN_INVITATION_STATES = (
    InvitationState.IMPORTED,
    InvitationState.ALLOCATED,
    InvitationState.SENT,
    InvitationState.CONFIRMED,
    InvitationState.RESCHEDULED,
    InvitationState.NO_ANSWER,
)
INVITATION_TIMESTAMPS = (
    "imported_at",
    "allocated_at",
    "sent_at",
    "reminded_at",
    "confirmed_at",
    "rescheduled_at",
    "declined_at",
    "no_answer_at",
    "released_at",
    "cancelled_at",
    "kept_at",
    "no_show_at",
)


def _before(days, now):
    return now - dt.timedelta(days=days)


@dataclass(frozen=True)
class Category:
    """One kind of personal data: `due(now)` → queryset of what is due (its pks are handled in
    batches), `apply(pks, now)` → how many rows one batch removed or pseudonymised."""

    name: str
    due: Callable
    apply: Callable
    days_setting: str = ""


# --- Appointments -------------------------------------------------------------------------


def _ended_before(cutoff, statuses):
    """Appointments in `statuses` whose status moment and slot both lie before `cutoff`."""
    moment = Q()
    for status in statuses:
        field = f"{Status(status).value}_at"
        moment |= Q(status=status) & (Q(**{f"{field}__lte": cutoff}) | Q(**{field: None}))
    return Appointment.objects.filter(moment, slot__end__lte=cutoff, pseudonymised_at=None)


def due_appointments(now):
    cutoff = _before(settings.RETENTION_APPOINTMENT_DAYS, now)
    return _ended_before(cutoff, (Status.COMPLETED, Status.NO_SHOW, Status.CANCELLED))


def due_expired_holds(now):
    cutoff = _before(settings.RETENTION_EXPIRED_HOLD_DAYS, now)
    return Appointment.objects.filter(
        Q(expired_at__lte=cutoff) | Q(expired_at=None),
        status=Status.EXPIRED,
        pseudonymised_at=None,
    )


def apply_appointments(pks, now):
    return p.pseudonymise_appointments(pks, now=now)


# --- Messages -------------------------------------------------------------------------------


def due_messages(now):
    cutoff = _before(settings.RETENTION_MESSAGE_DAYS, now)
    return OutboxMessage.objects.filter(
        Q(status=OutboxStatus.SENT, sent_at__lte=cutoff)
        | Q(status=OutboxStatus.FAILED, created_at__lte=cutoff)
    ).exclude(recipient="")


def apply_messages(pks, now):
    return p.clear_messages(due_messages(now).filter(pk__in=pks))


# --- Mail-limit locks ----------------------------------------------------------------------


def due_email_locks(now):
    """Locks whose mailbox has no appointment ahead, under way or ended within the period."""
    cutoff = _before(settings.RETENTION_EMAIL_LOCK_DAYS, now)
    recent = Q(status__in=ACTIVE_STATUSES)
    for status in (Status.COMPLETED, Status.NO_SHOW, Status.CANCELLED, Status.EXPIRED):
        recent |= Q(status=status, **{f"{status.value}_at__gt": cutoff})
    in_use = Appointment.objects.filter(recent, email_key=OuterRef("email_key"))
    return EmailLock.objects.filter(~Exists(in_use))


def apply_email_locks(pks, now):
    # Locked by a booking right now: skipped, it is due again tomorrow.
    free = list(
        due_email_locks(now)
        .filter(pk__in=pks)
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    return EmailLock.objects.filter(pk__in=free).delete()[0]


# --- Invitations ----------------------------------------------------------------------------


def due_batches(now):
    """Batches whose campaign ended RETENTION_INVITATION_DAYS ago: no row open, no invited
    appointment ahead, and the last appointment and the last move older than the period."""
    cutoff = _before(settings.RETENTION_INVITATION_DAYS, now)
    rows = Invitation.objects.filter(batch=OuterRef("pk"))
    batches = (
        InvitationBatch.objects.filter(created_at__lte=cutoff)
        .exclude(Exists(rows.filter(state__in=OPEN_INVITATION_STATES)))
        .exclude(Exists(rows.filter(appointment__status__in=ACTIVE_STATUSES)))
        .exclude(Exists(rows.filter(appointment__slot__end__gt=cutoff)))
        .annotate(**{f"last_{name}": Max(f"invitations__{name}") for name in INVITATION_TIMESTAMPS})
    )
    return [
        batch.pk
        for batch in batches
        if all(
            getattr(batch, f"last_{name}") is None or getattr(batch, f"last_{name}") <= cutoff
            for name in INVITATION_TIMESTAMPS
        )
    ]


def due_invitations(now):
    return p.invitations_of_batches(due_batches(now))


def apply_invitations(pks, now):
    return p.pseudonymise_invitations(Invitation.objects.filter(pk__in=pks), now=now)


def apply_batch_files(pks, now):
    changed = 0
    for batch in InvitationBatch.objects.filter(pk__in=pks).only("pk", "skipped"):
        kept = [{"row": item.get("row")} for item in batch.skipped if isinstance(item, dict)]
        if kept != batch.skipped:
            changed += InvitationBatch.objects.filter(pk=batch.pk).update(skipped=kept)
    return changed


def due_batch_files(now):
    """Due batches whose rows left out on import still carry more than their row number
    (file numbers, error texts quoting the file)."""
    batches = InvitationBatch.objects.filter(pk__in=due_batches(now)).exclude(skipped=[])
    return InvitationBatch.objects.filter(
        pk__in=[
            pk
            for pk, skipped in batches.values_list("pk", "skipped")
            if any(not isinstance(item, dict) or set(item) - {"row"} for item in skipped)
        ]
    )


# --- Sessions, login attempts, staff-access audit -------------------------------------------


def due_sessions(now):
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    if not issubclass(store, DatabaseSessionStore):
        return Session.objects.none()  # cache and cookie sessions expire by themselves
    return Session.objects.filter(expire_date__lt=now)


def apply_sessions(pks, now):
    return Session.objects.filter(pk__in=pks, expire_date__lt=now).delete()[0]


def _login_cutoff(now):
    return _before(settings.RETENTION_LOGIN_ATTEMPT_DAYS, now)


def due_login_attempts(now):
    return AccessAttempt.objects.filter(attempt_time__lt=_login_cutoff(now))


def apply_login_attempts(pks, now):
    return AccessAttempt.objects.filter(pk__in=pks, attempt_time__lt=_login_cutoff(now)).delete()[0]


def due_login_failures(now):
    return AccessFailureLog.objects.filter(attempt_time__lt=_login_cutoff(now))


def apply_login_failures(pks, now):
    return AccessFailureLog.objects.filter(
        pk__in=pks, attempt_time__lt=_login_cutoff(now)
    ).delete()[0]


def due_login_log(now):
    return AccessLog.objects.filter(attempt_time__lt=_login_cutoff(now))


def apply_login_log(pks, now):
    return AccessLog.objects.filter(pk__in=pks, attempt_time__lt=_login_cutoff(now)).delete()[0]


def due_staff_audit(now):
    return Event.objects.filter(
        action__startswith=STAFF_ACCESS_PREFIX,
        at__lt=_before(settings.RETENTION_STAFF_AUDIT_DAYS, now),
    )


def apply_staff_audit(pks, now):
    return due_staff_audit(now).filter(pk__in=pks).delete()[0]


# --- Accessibility feedback, outage counters ------------------------------------------------


def _feedback_cutoff(now):
    return _before(settings.RETENTION_FEEDBACK_DAYS, now)


def due_feedback(now):
    """Feedback answered (or, never answered, received) more than the period ago."""
    cutoff = _feedback_cutoff(now)
    return AccessibilityFeedback.objects.filter(
        Q(answered_at__lte=cutoff) | Q(answered_at=None, created_at__lte=cutoff)
    )


def apply_feedback(pks, now):
    return due_feedback(now).filter(pk__in=pks).delete()[0]


def due_fallback_counters(now):
    """Counters written while the cache was down (appointments.outage), once expired."""
    return FallbackCounter.objects.filter(expires_at__lte=now)


def apply_fallback_counters(pks, now):
    return FallbackCounter.objects.filter(pk__in=pks, expires_at__lte=now).delete()[0]


# --- Waitlist wishes -------------------------------------------------------------------------


def due_wishes(now):
    """Wishes that ended (booked, withdrawn, expired) more than the period ago."""
    return Wish.objects.filter(
        state__in=ENDED_WISH_STATES,
        state_changed_at__lte=_before(settings.RETENTION_WISH_DAYS, now),
        pseudonymised_at=None,
    )


def apply_wishes(pks, now):
    """Names, birth date, e-mail, nationality and permit date go; the token hash becomes a
    value no token has (unique, not 64 hex digits); state, rank and dates stay."""
    return (
        due_wishes(now)
        .filter(pk__in=pks)
        .update(
            surname="",
            given_names="",
            date_of_birth=p.NO_BIRTH_DATE,
            nationality="",
            email="",
            surname_key="",
            email_key="",
            permit_expires_on=None,
            token_hash=Concat(Value("gone-"), F("pk"), output_field=CharField()),
            pseudonymised_at=now,
        )
    )


# In the order they run. Messages and invitation rows come before the appointments, whose
# pseudonymisation also clears what is left of theirs, so a dry run counts what a run does.
CATEGORIES = (
    Category("messages", due_messages, apply_messages, "RETENTION_MESSAGE_DAYS"),
    Category("invitations", due_invitations, apply_invitations, "RETENTION_INVITATION_DAYS"),
    Category("invitation_files", due_batch_files, apply_batch_files, "RETENTION_INVITATION_DAYS"),
    Category("appointments", due_appointments, apply_appointments, "RETENTION_APPOINTMENT_DAYS"),
    Category("expired_holds", due_expired_holds, apply_appointments, "RETENTION_EXPIRED_HOLD_DAYS"),
    Category("email_locks", due_email_locks, apply_email_locks, "RETENTION_EMAIL_LOCK_DAYS"),
    Category("sessions", due_sessions, apply_sessions),
    Category(
        "login_attempts", due_login_attempts, apply_login_attempts, "RETENTION_LOGIN_ATTEMPT_DAYS"
    ),
    Category(
        "login_failures", due_login_failures, apply_login_failures, "RETENTION_LOGIN_ATTEMPT_DAYS"
    ),
    Category("login_log", due_login_log, apply_login_log, "RETENTION_LOGIN_ATTEMPT_DAYS"),
    Category("staff_audit", due_staff_audit, apply_staff_audit, "RETENTION_STAFF_AUDIT_DAYS"),
    Category("feedback", due_feedback, apply_feedback, "RETENTION_FEEDBACK_DAYS"),
    Category("wishes", due_wishes, apply_wishes, "RETENTION_WISH_DAYS"),
    Category("fallback_counters", due_fallback_counters, apply_fallback_counters),
)
