"""Reconfirmation: the request and second reminder by mail, one click (a page with a button)
confirms; no click by the deadline cancels the appointment, frees the place to the waitlist
(the allocator offers it to a wish) and tells the resident. Idempotent."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.utils import timezone

from appointments import reconfirmation, tasks
from appointments.models import (
    Appointment,
    CancellationReason,
    Channel,
    Event,
    Offer,
    OutboxMessage,
    Service,
    Slot,
    Status,
)
from appointments.waitlist import allocation
from tests.appointments.waitlist.test_allocation import waiting_wish
from tests.factories import appointment, bookable_slot

pytestmark = pytest.mark.django_db

# The clock starts on Tuesday 10 November 2026, 10:30; the appointment is on Friday 20 November
# at 10:00: the request goes out from 17 November 10:00, the deadline is 19 November 10:00.
VISIT_DAY = dt.date(2026, 11, 20)


def at(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def worker(monkeypatch):
    """Background tasks asked for after the commit run at once, as a worker would run them."""
    asked = []

    def run(name, *args):
        asked.append(name)
        tasks.offer_freed_places(*args) if name.endswith("offer_freed_places") else None
        return True

    monkeypatch.setattr("appointments.background.enqueue", run)
    return asked


def booked_visit(*, days=3, channel=Channel.ONLINE, n=0, capacity=1):
    service, _team, slot = bookable_slot(capacity=capacity, start=at(VISIT_DAY, 10))
    Service.objects.filter(pk=service.pk).update(reconfirmation_days=days)
    service.refresh_from_db()
    made = appointment(service=service, slot=slot, channel=channel, n=n)
    return service, slot, made


def mails(kind=reconfirmation.KIND):
    return list(OutboxMessage.objects.filter(kind=kind).order_by("pk"))


def link(message, label):
    url = re.search(rf"{re.escape(label)}: (\S+)", message.text_body).group(1)
    return url.removeprefix(settings.SITE_URL)


def test_the_resident_confirms_with_one_click_and_keeps_the_place(clock, client):
    _service, _slot, made = booked_visit()
    clock.move_to(at(dt.date(2026, 11, 17), 10, 5))
    assert reconfirmation.run()["requested"] == 1
    [request] = mails()
    assert request.recipient == made.email and "19. November 2026, 10:00" in request.text_body

    page = client.get(link(request, "Ja, ich komme"), follow=True)
    assert page.status_code == 200 and b'method="post"' in page.content
    # Opening the link (a mail scanner does) changes nothing; the button does.
    assert Appointment.objects.get(pk=made.pk).attendance_confirmed_at is None
    client.post(page.redirect_chain[-1][0])
    assert Appointment.objects.get(pk=made.pk).attendance_confirmed_at is not None

    clock.move_to(at(dt.date(2026, 11, 19), 10, 5))
    assert reconfirmation.run() == {"released": 0, "reminded": 0, "requested": 0}
    assert Appointment.objects.get(pk=made.pk).status == Status.BOOKED


def test_no_click_releases_the_place_to_the_waitlist_and_tells_the_resident(
    clock, worker, django_capture_on_commit_callbacks
):
    service, slot, made = booked_visit()
    wish, _token = waiting_wish(service, 5)
    clock.move_to(at(dt.date(2026, 11, 17), 10, 5))
    reconfirmation.run()
    reconfirmation.run()  # twice: nothing twice
    assert len(mails()) == 1

    clock.move_to(at(dt.date(2026, 11, 18), 10, 10))
    assert reconfirmation.run()["reminded"] == 1
    assert reconfirmation.run()["reminded"] == 0
    assert [m.idempotency_key.rsplit(":", 1)[1] for m in mails()] == ["request", "reminder"]

    clock.move_to(at(dt.date(2026, 11, 19), 10, 5))
    with django_capture_on_commit_callbacks(execute=True):
        assert reconfirmation.run()["released"] == 1
    assert reconfirmation.run()["released"] == 0
    gone = Appointment.objects.get(pk=made.pk)
    assert (gone.status, gone.cancellation_reason) == (
        Status.CANCELLED,
        CancellationReason.UNCONFIRMED,
    )
    [notice] = mails(reconfirmation.RELEASED_KIND)
    assert notice.recipient == made.email
    assert Event.objects.filter(action="appointment.cancelled", appointment=made).exists()
    # The allocator held the place for the wish in the same transaction (no task needed).
    assert "appointments.tasks.offer_freed_places" not in worker
    offer = Offer.objects.get()
    assert offer.wish == wish and offer.slot == slot
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_the_reminder_comes_before_the_deadline_after_a_late_request(clock):
    booked_visit()
    clock.move_to(at(dt.date(2026, 11, 18), 22, 0))  # the task was down until 12 h before
    reconfirmation.run()
    clock.move_to(at(dt.date(2026, 11, 19), 4, 1))  # half way to the deadline
    assert reconfirmation.run()["reminded"] == 1


def test_without_a_second_reminder_nothing_is_released(clock):
    _service, _slot, made = booked_visit()
    clock.move_to(at(dt.date(2026, 11, 17), 10, 5))
    reconfirmation.run()
    clock.move_to(at(dt.date(2026, 11, 19), 10, 5))  # the reminder's run never happened
    assert reconfirmation.run()["released"] == 0
    assert Appointment.objects.get(pk=made.pk).status == Status.BOOKED


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"email": ""}, "no reachable address"),
        ({"channel": Channel.WALK_IN}, "exempt channel"),
        ({"booked_at": at(dt.date(2026, 11, 18), 9)}, "booked within the period"),
    ],
)
def test_exempt_appointments_are_never_asked(clock, change, why):
    _service, _slot, made = booked_visit(channel=Channel.STAFF)
    Appointment.objects.filter(pk=made.pk).update(**change)
    clock.move_to(at(dt.date(2026, 11, 18), 10, 5))
    reconfirmation.run()
    assert not mails(), why


def test_a_service_without_reconfirmation_asks_nothing(clock):
    booked_visit(days=0)
    clock.move_to(at(dt.date(2026, 11, 18), 10, 5))
    assert reconfirmation.run() == {"released": 0, "reminded": 0, "requested": 0}


def test_figures_count_freed_places_and_those_booked_again(
    clock, worker, django_capture_on_commit_callbacks
):
    service, slot, made = booked_visit()
    waiting_wish(service, 5)
    for moment in (at(dt.date(2026, 11, 17), 10, 5), at(dt.date(2026, 11, 18), 10, 10)):
        clock.move_to(moment)
        reconfirmation.run()
    clock.move_to(at(dt.date(2026, 11, 19), 10, 5))
    with django_capture_on_commit_callbacks(execute=True):
        reconfirmation.run()
    assert reconfirmation.figures() == {service.pk: {"freed": 1, "used": 0}}  # only held yet
    allocation.accept_offer(offer_id=Offer.objects.get().pk)
    assert reconfirmation.figures() == {service.pk: {"freed": 1, "used": 1}}
    assert Appointment.objects.get(pk=made.pk).slot_id == slot.pk


def test_the_request_is_written_in_the_residents_language(clock):
    _service, _slot, made = booked_visit()
    Appointment.objects.filter(pk=made.pk).update(language="ar")
    clock.move_to(at(dt.date(2026, 11, 17), 10, 5))
    reconfirmation.run()
    [request] = mails()
    assert request.language == "ar" and "إعادة تأكيد موعدك" in request.subject
    assert "/ar/" in request.text_body


def test_two_places_freed_in_one_slot_and_one_rebooked_count_one_used(clock):
    service, slot, first = booked_visit(capacity=3)
    second = appointment(service=service, slot=slot, channel=Channel.ONLINE, n=1)
    for moment in (at(dt.date(2026, 11, 17), 10, 5), at(dt.date(2026, 11, 18), 10, 10)):
        clock.move_to(moment)
        reconfirmation.run()
    clock.move_to(at(dt.date(2026, 11, 19), 10, 5))
    assert reconfirmation.run()["released"] == 2
    assert {first.pk, second.pk} == set(
        Appointment.objects.filter(status=Status.CANCELLED).values_list("pk", flat=True)
    )
    clock.move_to(at(dt.date(2026, 11, 19), 11))
    appointment(service=service, slot=slot, channel=Channel.STAFF, n=7)
    assert reconfirmation.figures() == {service.pk: {"freed": 2, "used": 1}}
    assert reconfirmation.figures(service=service, since=timezone.now()) == {}
