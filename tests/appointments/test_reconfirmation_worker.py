"""Reconfirmation through a real Celery worker on Redis and a real SMTP sink: the request and
the reminder go out by mail; no click by the deadline releases the place, the worker's
allocator offers it to the waiting wish, and both mails (release notice, offer) arrive."""

import datetime as dt

import pytest

from appointments import reconfirmation
from appointments.models import Appointment, Offer, OfferState, Slot, Status
from tests.appointments.test_outbox import smtp, wait_for  # noqa: F401 (fixture)
from tests.appointments.test_reconfirmation import at, booked_visit
from tests.appointments.waitlist.test_allocation import waiting_wish

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def subjects(sink):
    return [message["Subject"] for message in sink.messages]


def test_an_unconfirmed_place_is_released_and_offered_by_the_worker(
    smtp,  # noqa: F811
    real_worker,
    clock,
):
    service, slot, made = booked_visit()
    wish, _token = waiting_wish(service, 5)
    clock.move_to(at(dt.date(2026, 11, 17), 10, 5))
    reconfirmation.run()
    assert wait_for(lambda: any("erneut bestätigen" in s for s in subjects(smtp)))
    clock.move_to(at(dt.date(2026, 11, 18), 10, 10))
    reconfirmation.run()
    assert wait_for(lambda: any("Erinnerung" in s for s in subjects(smtp))), subjects(smtp)

    clock.move_to(at(dt.date(2026, 11, 19), 10, 5))
    assert reconfirmation.run()["released"] == 1
    assert wait_for(lambda: any("nicht bestätigt" in s for s in subjects(smtp)))
    assert wait_for(lambda: Offer.objects.filter(wish=wish, state=OfferState.OPEN).exists())
    assert Appointment.objects.get(pk=made.pk).status == Status.CANCELLED
    assert Slot.objects.get(pk=slot.pk).booked == 1  # held for the wish by the worker
    recipients = [m["To"] for m in smtp.messages]
    assert wait_for(lambda: wish.email in [m["To"] for m in smtp.messages]), recipients
