"""Celery tasks: thin, idempotent wrappers around domain functions."""

from celery import shared_task

from . import booking, scheduling


@shared_task(name="appointments.tasks.generate_slots")
def generate_slots():
    result = scheduling.generate_slots()
    return {"created": result.created, "removed": result.removed, "closed": result.closed}


@shared_task(name="appointments.tasks.expire_holds")
def expire_holds():
    return booking.expire_holds()


@shared_task(name="appointments.tasks.release_delayed_places")
def release_delayed_places():
    return booking.release_delayed_places()
