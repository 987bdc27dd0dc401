"""Invitation allocation in bulk: a fixed number of queries per chunk, places taken with the
guarded UPDATE in bulk (never more than are free, also when others took some meanwhile),
mailbox limits checked in bulk, a crash keeps the finished chunks and a re-run continues."""

from collections import Counter

import pytest
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.test.utils import CaptureQueriesContext

from appointments import booking
from appointments.invitations import allocation, csv_import
from appointments.invitations.bulk import allocate_chunk
from appointments.invitations.planner import Planner
from appointments.models import (
    Appointment,
    Contingent,
    Event,
    Invitation,
    InvitationState,
    Slot,
)
from appointments.places import take_places
from tests.factories import (
    EXPIRY,
    NOW,
    WINDOW,
    csv_bytes,
    imported_batch,
    open_office,
    person,
    row,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "in_english")]

# Queries of a batch of one chunk, whatever its size (30 on PostgreSQL, 32 for 50 invitees
# on SQLite, which splits the insert of appointments by its parameter limit): the batch's
# bookkeeping and slot horizon, then read and lock the rows, the places of the plan and their
# take, mailboxes, cases, codes, appointments, token hashes, invitations, events.
MAX_QUERIES = 32


def batch_of(numbers, **overrides):
    report = csv_import.check(csv_bytes([row(n, **overrides) for n in numbers]), now=NOW)
    assert not report.invalid
    return csv_import.import_checked(report=report, source_name=f"{numbers[0]}.csv", now=NOW)


def queries_to_allocate(batch):
    """All queries, and those but the inserts (which SQLite splits by its parameter limit)."""
    with CaptureQueriesContext(connection) as queries:
        counts = allocation.allocate_batch(batch_id=batch.pk)
    assert counts == {InvitationState.ALLOCATED: batch.invitations.count()}
    statements = [q["sql"] for q in queries.captured_queries]
    return len(statements), len([s for s in statements if not s.startswith("INSERT")])


def assert_places_add_up():
    for slot in Slot.objects.all():
        assert 0 <= slot.booked <= slot.capacity
        assert slot.booked == booking.place_holders(slot), slot


def test_allocating_fifty_invitees_costs_no_more_queries_than_ten(office):
    allocation.allocate_batch(batch_id=batch_of([1000]).pk)  # slots and planner warmed alike
    ten, ten_but_inserts = queries_to_allocate(batch_of(range(1, 11)))
    fifty, fifty_but_inserts = queries_to_allocate(batch_of(range(101, 151)))
    assert fifty_but_inserts == ten_but_inserts
    assert ten <= fifty <= MAX_QUERIES
    if connection.vendor == "postgresql":
        assert fifty == ten
    assert Appointment.objects.filter(channel="invitation").count() == 61
    assert_places_add_up()


def test_every_allocated_invitee_has_the_events_of_the_per_row_path(office):
    batch = imported_batch(6)
    allocation.allocate_batch(batch_id=batch.pk)
    for invitation in Invitation.objects.select_related("appointment"):
        booked = Event.objects.get(action="appointment.booked", appointment=invitation.appointment)
        assert booked.data == {"channel": "invitation", "slot": invitation.appointment.slot_id}
        allocated = Event.objects.get(
            action="invitation.allocated", appointment=invitation.appointment
        )
        assert allocated.data == {
            "invitation": invitation.pk,
            "from_state": "imported",
            "batch": batch.pk,
        }
        assert invitation.allocated_at == NOW


def test_take_places_takes_only_what_is_free_of_each_slot(office):
    slots = list(
        Slot.objects.filter(contingent=Contingent.INTERNAL, start__gt=NOW).order_by("start")[:3]
    )
    Slot.objects.filter(pk=slots[1].pk).update(booked=1)  # one of two left
    Slot.objects.filter(pk=slots[2].pk).update(booked=2)  # full
    online = Slot.objects.filter(contingent=Contingent.ONLINE, start__gt=NOW).first()
    wanted = {slots[0].pk: 1, slots[1].pk: 3, slots[2].pk: 1, online.pk: 1}
    got = take_places(wanted, [Contingent.INTERNAL], Q())
    assert got == {slots[0].pk: 1, slots[1].pk: 1}
    assert [s.booked for s in Slot.objects.filter(pk__in=[s.pk for s in slots])] == [1, 2, 2]
    assert Slot.objects.get(pk=online.pk).booked == 0


def test_places_taken_after_the_plan_was_read_are_not_promised_again():
    office = open_office(internal=1, online=1, weekdays=[0])  # three Mondays in the window
    batch = imported_batch(2, Nachname="Aydin")
    planner = Planner(now=NOW, horizon=EXPIRY)
    planner.choose(
        service_id=office.service.pk, team_id=office.team_ak.pk, first=WINDOW[0], last=WINDOW[1]
    )
    internal = Slot.objects.filter(
        team=office.team_ak,
        contingent=Contingent.INTERNAL,
        start__date__gte=WINDOW[0],
        start__date__lte=WINDOW[1],
    ).order_by("start")
    assert internal.count() == 12
    for i, slot in enumerate(internal[:11]):  # staff take all but the last, after the read
        booking.book(
            service=office.service,
            slot_id=slot.pk,
            channel="staff",
            person=person(i, surname=f"Adler{i}"),
        )
    ids = list(batch.invitations.order_by("row_number").values_list("pk", flat=True))
    counts = allocate_chunk(ids, planner=planner, now=NOW)
    assert counts == {InvitationState.ALLOCATED: 1, InvitationState.NO_PLACE: 1}
    assert Invitation.objects.get(state=InvitationState.ALLOCATED).appointment.slot == internal[11]
    assert_places_add_up()


def test_a_mailbox_over_its_limit_is_refused_and_keeps_no_place(office, settings):
    settings.MAX_ACTIVE_APPOINTMENTS_PER_EMAIL_AND_SERVICE = 2
    family = "familie@example.test"
    names = ["Elif", "Deniz", "Aylin"]
    rows = [row(n, Vorname=name, **{"E-Mail": family}) for n, name in enumerate(names, 1)]
    report = csv_import.check(csv_bytes(rows), now=NOW)
    batch = csv_import.import_checked(report=report, source_name="family.csv", now=NOW)
    counts = allocation.allocate_batch(batch_id=batch.pk)
    assert counts == {InvitationState.ALLOCATED: 2, InvitationState.FAILED: 1}
    refused = Invitation.objects.get(state=InvitationState.FAILED)
    assert refused.given_names == "Aylin" and "already has an open appointment" in refused.problem
    assert Slot.objects.aggregate(n=Sum("booked"))["n"] == 2
    assert_places_add_up()


class Crash(Exception):
    pass


def test_a_crash_keeps_the_finished_chunks_and_a_rerun_continues(office, monkeypatch):
    monkeypatch.setattr(allocation, "CHUNK", 4)
    batch = imported_batch(10)

    def crash(done, total):
        raise Crash()

    with pytest.raises(Crash):
        allocation.allocate_batch(batch_id=batch.pk, progress=crash)
    states = Counter(Invitation.objects.values_list("state", flat=True))
    assert states == {InvitationState.ALLOCATED: 4, InvitationState.IMPORTED: 6}
    assert_places_add_up()
    assert allocation.allocate_batch(batch_id=batch.pk) == {InvitationState.ALLOCATED: 6}
    assert Appointment.objects.count() == 10 == Slot.objects.aggregate(n=Sum("booked"))["n"]
    assert Invitation.objects.values("appointment").distinct().count() == 10
    assert_places_add_up()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bulk_takes_of_one_slot_never_exceed_its_places():
    from tests.appointments.test_races import race

    open_office(internal=5, online=0)
    slot = Slot.objects.filter(contingent=Contingent.INTERNAL, start__gt=NOW).first()

    def take(i):
        with transaction.atomic():
            return take_places({slot.pk: 2}, [Contingent.INTERNAL], Q()).get(slot.pk, 0)

    outcomes = race(take, count=12)
    assert sorted(outcomes, reverse=True)[:4] == [2, 2, 1, 0], outcomes
    assert sum(outcomes) == 5
    slot.refresh_from_db()
    assert slot.booked == 5
