"""Offers through a real Celery worker on Redis: a cancelled place, once its anti-trading delay
has passed, is offered by the worker to the waiting wish and the offer mail goes out by SMTP;
accepting sends the booking's own confirmation with the .ics."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments import booking
from appointments.models import CancellationReason, Offer, OfferState, Slot
from appointments.waitlist import allocation, wishes
from tests.appointments.test_outbox import parts, smtp, wait_for  # noqa: F401 (fixture)
from tests.factories import appointment, bookable_slot, person

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_freed_place_is_offered_by_the_worker_and_accepted(smtp, real_worker):  # noqa: F811
    service, _team, slot = bookable_slot(capacity=1)
    taken = appointment(service=service, slot=slot, n=1)
    _wish, token = wishes.register_wish(
        service=service, person=person(2, email="waiting@example.test", language="en")
    )
    wishes.confirm_wish(token=token)
    booking.cancel(appointment_id=taken.pk, reason=CancellationReason.RESIDENT)
    assert booking.release_delayed_places(now=timezone.now() + dt.timedelta(hours=1)) == 1

    # (the test polls the SMTP sink, not the database the worker writes to)
    assert wait_for(lambda: any("held for you" in m["Subject"] for m in smtp.messages))
    mail = next(m for m in smtp.messages if "held for you" in m["Subject"])
    assert mail["To"] == "waiting@example.test"
    offer = Offer.objects.get(state=OfferState.OPEN)
    assert Slot.objects.get(pk=slot.pk).booked == 1  # held, never public in between
    assert f"/en/warteliste/angebot/{offer.pk}/?s=" in parts(mail)["text/plain"].get_content()

    allocation.accept_offer(offer_id=offer.pk)
    assert wait_for(
        lambda: any(
            "text/calendar" in parts(m) for m in smtp.messages if "held" not in m["Subject"]
        )
    )
