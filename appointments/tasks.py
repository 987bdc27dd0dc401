"""Celery tasks: thin, idempotent wrappers around domain functions (ids in, counts out)."""

from celery import shared_task

from wiesbaden_abh.celery import shutdown_requested

from . import booking, reconfirmation, retention, scheduling, statistics
from .invitations import allocation, sending
from .notifications import outbox, reminders
from .waitlist import allocation as waitlist_allocation
from .waitlist import release_modes, wishes


@shared_task(name="appointments.tasks.generate_slots")
def generate_slots():
    result = scheduling.generate_slots()
    return {"created": result.created, "removed": result.removed, "closed": result.closed}


@shared_task(name="appointments.tasks.expire_holds")
def expire_holds():
    return waitlist_allocation.expire_holds()


@shared_task(name="appointments.tasks.release_delayed_places")
def release_delayed_places():
    return waitlist_allocation.release_delayed_places()


@shared_task(name="appointments.tasks.deliver_message", acks_late=True)
def deliver_message(message_id):
    """One message (tasks queued before batched delivery; kept so none of them is lost)."""
    return outbox.deliver(message_id=message_id)


@shared_task(name="appointments.tasks.deliver_messages", acks_late=True)
def deliver_messages(message_ids):
    """The due ones of these messages through one SMTP connection."""
    return outbox.deliver_batch(ids=message_ids, stop=shutdown_requested)


@shared_task(name="appointments.tasks.deliver_due", acks_late=True)
def deliver_due():
    """Whatever is due, after new messages asked for it (coalesced delivery)."""
    return outbox.deliver_due(stop=shutdown_requested)


@shared_task(name="appointments.tasks.sweep_outbox")
def sweep_outbox():
    return outbox.sweep(stop=shutdown_requested)


@shared_task(name="appointments.tasks.schedule_reminders")
def schedule_reminders():
    return reminders.schedule_reminders()


@shared_task(name="appointments.tasks.mark_no_shows")
def mark_no_shows():
    return booking.mark_no_shows()


@shared_task(name="appointments.tasks.rebuild_statistics")
def rebuild_statistics():
    return statistics.rebuild_nightly()


@shared_task(name="appointments.tasks.allocate_invitations", acks_late=True)
def allocate_invitations(batch_id):
    return allocation.allocate_batch(batch_id=batch_id)


@shared_task(name="appointments.tasks.send_invitations", acks_late=True)
def send_invitations(batch_id):
    return sending.send_batch(batch_id=batch_id)


@shared_task(name="appointments.tasks.sweep_invitations")
def sweep_invitations():
    return sending.sweep()


@shared_task(name="appointments.tasks.apply_retention")
def apply_retention():
    return retention.apply_retention()


@shared_task(name="appointments.tasks.offer_freed_places", acks_late=True)
def offer_freed_places(slot_ids):
    return sum(len(waitlist_allocation.offer_freed_place(slot_id=pk)) for pk in slot_ids)


@shared_task(name="appointments.tasks.offer_free_places", acks_late=True)
def offer_free_places(team_id=None):
    return waitlist_allocation.offer_free_places(team_id=team_id)


@shared_task(name="appointments.tasks.sweep_waitlist")
def sweep_waitlist():
    return wishes.sweep()


@shared_task(name="appointments.tasks.release_days_to_waitlist")
def release_days_to_waitlist():
    return release_modes.release_days()


@shared_task(name="appointments.tasks.reconfirmations")
def reconfirmations():
    return reconfirmation.run()
