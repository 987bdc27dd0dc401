"""Statistics: every definition against hand-computed figures, the rebuild (idempotent, nightly,
concurrent), today's live figures, the forecast, the command, the task and the demo history."""

import datetime as dt
import json
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone

from appointments import booking, queue, statistics
from appointments.demo import history as demo_history
from appointments.errors import TransitionNotAllowed
from appointments.models import (
    Appointment,
    CancellationReason,
    Case,
    CaseFigure,
    Channel,
    Contingent,
    DailyCapacity,
    DailyFigure,
    Event,
    HourlyFigure,
    Outcome,
    Slot,
    StatisticsDay,
    Status,
)
from appointments.statistics import aggregation
from appointments.statistics.aggregation import NIGHTLY_ACTION
from appointments.statistics.live import live_rows
from tests.factories import ServiceFactory, TeamFactory, desk_of, person, route_all, rule_for

pytestmark = pytest.mark.django_db

FIGURE_MODELS = (DailyFigure, HourlyFigure, DailyCapacity, CaseFigure)


def at(year, month, day, hour=0, minute=0):
    """An aware moment in the office's time zone (Europe/Berlin)."""
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def minutes(n):
    return dt.timedelta(minutes=n)


class Office:
    """One service served by one team for all surnames; slots exactly where a test wants them."""

    def __init__(self, *, service=None, team=None):
        self.service = service or ServiceFactory()
        self.team = team or TeamFactory()
        route_all(self.service, self.team)
        self.people = 0

    def slot(self, start, *, capacity=6, contingent=Contingent.INTERNAL, length=20):
        local = timezone.localtime(start)
        rule = rule_for(
            self.team,
            [self.service],
            weekday=local.weekday(),
            capacity=capacity,
            online_capacity=capacity if contingent == Contingent.ONLINE else 0,
        )
        return Slot.objects.create(
            team=self.team,
            rule=rule,
            start=start,
            end=start + minutes(length),
            contingent=contingent,
            capacity=capacity,
        )

    def book(self, slot, *, when, channel=Channel.STAFF):
        """A booked appointment made at `when` (online ones verified a minute later)."""
        self.people += 1
        appointment, token = booking.book(
            service=self.service,
            slot_id=slot.pk,
            person=person(self.people),
            channel=channel,
            now=when,
        )
        if channel == Channel.ONLINE:
            appointment = booking.verify(code=appointment.code, token=token, now=when + minutes(1))
        return appointment

    def visit(self, appointment, *, arrive, wait, serve=None):
        """Check in at `arrive`, called after `wait` minutes, finished after `serve` minutes."""
        queue.check_in(appointment_id=appointment.pk, now=arrive)
        called = arrive + minutes(wait)
        queue.call(appointment_id=appointment.pk, counter=desk_of(appointment.pk), now=called)
        if serve is not None:
            queue.start_service(appointment_id=appointment.pk, now=called)
            queue.finish(
                appointment_id=appointment.pk, outcome=Outcome.OTHER, now=called + minutes(serve)
            )
        return Appointment.objects.get(pk=appointment.pk)


def rebuild(day, *, now):
    return statistics.rebuild(date_from=day, date_to=day, now=now)


def day_figures(day, **filters):
    """The summed DailyFigure counts of a day."""
    rows = DailyFigure.objects.filter(date=day, **filters)
    names = ("booked", "kept", "no_show", "cancelled", "late_cancelled", "cancelled_by_closure")
    return {name: sum(getattr(row, name) for row in rows) for name in names}


def snapshot():
    """Every figure row of every table, comparable across rebuilds."""
    return {
        model.__name__: sorted(
            tuple(sorted((k, v) for k, v in row.items() if k != "id"))
            for row in model.objects.values()
        )
        for model in FIGURE_MODELS
    }


# --- Definitions ---------------------------------------------------------------------------

DAY = dt.date(2026, 3, 10)  # a Tuesday
AFTER = at(2026, 3, 12, 9)  # two days later: the day is over and the sweep's grace has passed


@pytest.fixture
def tuesday():
    """Seven residents of one 09:00 slot on DAY, each a different case for the definitions."""
    office = Office()
    slot = office.slot(at(2026, 3, 10, 9), capacity=8)
    online_slot = office.slot(at(2026, 3, 10, 9), capacity=3, contingent=Contingent.ONLINE)
    people = {}
    # kept: booked five days ahead, arrives 09:02, called 09:10, served 20 minutes
    people["kept"] = office.book(slot, when=at(2026, 3, 5, 12))
    # no-show: booked online ten days ahead, never came (the sweep has not run)
    people["no_show"] = office.book(online_slot, when=at(2026, 2, 28, 12), channel=Channel.ONLINE)
    # cancelled in time: invited 30 days ahead, cancelled by the resident three days before
    people["cancelled"] = office.book(slot, when=at(2026, 2, 8, 12), channel=Channel.INVITATION)
    # late cancellation: cancelled two hours before
    people["late"] = office.book(slot, when=at(2026, 3, 8, 12))
    # closure: cancelled by the office the evening before (not late, however close)
    people["closure"] = office.book(slot, when=at(2026, 3, 8, 12))
    # checked in but did not answer three calls
    people["calls"] = office.book(slot, when=at(2026, 3, 9, 12))
    # a held online booking that expired: never booked, not counted anywhere
    office.people += 1
    held, _token = booking.book(
        service=office.service,
        slot_id=online_slot.pk,
        person=person(office.people),
        channel=Channel.ONLINE,
        now=at(2026, 3, 1, 12),
    )
    booking.expire_holds(now=at(2026, 3, 1, 13))

    office.visit(people["kept"], arrive=at(2026, 3, 10, 9, 2), wait=8, serve=20)
    booking.cancel(
        appointment_id=people["cancelled"].pk,
        reason=CancellationReason.RESIDENT,
        now=at(2026, 3, 7, 9),
    )
    booking.cancel(
        appointment_id=people["late"].pk, reason=CancellationReason.RESIDENT, now=at(2026, 3, 10, 7)
    )
    booking.cancel(
        appointment_id=people["closure"].pk,
        reason=CancellationReason.CLOSURE,
        now=at(2026, 3, 9, 18),
    )
    office.visit(people["calls"], arrive=at(2026, 3, 10, 8, 55), wait=5)
    for n in range(3):
        queue.recall(appointment_id=people["calls"].pk, confirm=True, now=at(2026, 3, 10, 9, 1 + n))
    assert Appointment.objects.get(pk=people["calls"].pk).status == Status.NO_SHOW
    assert Appointment.objects.get(pk=held.pk).status == Status.EXPIRED
    return office, people


def test_each_definition_counts_as_computed_by_hand(tuesday):
    rebuild(DAY, now=AFTER)
    assert day_figures(DAY) == {
        "booked": 6,  # the expired hold was never booked
        "kept": 1,
        "no_show": 2,  # never came (still "booked"), and three unanswered calls
        "cancelled": 3,
        "late_cancelled": 1,  # the closure the evening before is not late
        "cancelled_by_closure": 1,
    }
    figure = DailyFigure.objects.get(date=DAY, channel=Channel.STAFF)
    assert (figure.waiting_seconds_sum, figure.waiting_count) == (8 * 60, 1)
    assert (figure.processing_seconds_sum, figure.processing_count) == (20 * 60, 1)
    report = statistics.breakdowns(statistics.make_filters(date_from=DAY, date_to=DAY), now=AFTER)
    assert report["summary"]["termintreue"] == 33.3  # 1 ÷ (1 + 2)
    assert report["summary"]["waiting_minutes"] == 8.0
    assert report["summary"]["processing_minutes"] == 20.0
    channels = {row["key"]: row for row in report["channel"]}
    assert (channels["online"]["kept"], channels["online"]["no_show"]) == (0, 1)
    assert channels["invitation"]["cancelled"] == 1


def test_waiting_time_of_a_no_show_after_three_calls_is_not_counted(tuesday):
    rebuild(DAY, now=AFTER)
    staff = DailyFigure.objects.get(date=DAY, channel=Channel.STAFF)
    assert staff.waiting_count == 1  # only the kept visit; the unanswered calls are a no-show


def test_lead_time_in_whole_days_and_its_buckets(tuesday):
    rebuild(DAY, now=AFTER)
    total = statistics.breakdowns(statistics.make_filters(date_from=DAY, date_to=DAY), now=AFTER)
    lead = {row["key"]: (row["kept"], row["no_show"]) for row in total["lead"]}
    # kept: booked 4 days 21 hours ahead; no-shows: online 9 days 21 hours, three calls 21 hours
    assert lead == {
        "0_3": (0, 1),
        "4_7": (1, 0),
        "8_14": (0, 1),
        "15_28": (0, 0),
        "over_28": (0, 0),
    }
    # lead times of all six booked, in days: 4.875, 9.875, 29.875, 1.875, 1.875, 0.875
    assert total["summary"]["lead_days"] == round(49.25 / 6, 1)


def test_statistics_agree_with_the_no_show_sweep(tuesday):
    _office, people = tuesday
    rebuild(DAY, now=AFTER)
    before = day_figures(DAY)
    assert booking.mark_no_shows(now=AFTER) == 1
    assert Appointment.objects.get(pk=people["no_show"].pk).status == Status.NO_SHOW
    rebuild(DAY, now=AFTER)
    assert day_figures(DAY) == before


def test_a_cancellation_after_the_no_show_sweep_is_refused_and_stays_a_no_show(tuesday):
    _office, people = tuesday
    booking.mark_no_shows(now=AFTER)
    with pytest.raises(TransitionNotAllowed):
        booking.cancel(
            appointment_id=people["no_show"].pk,
            reason=CancellationReason.RESIDENT,
            now=AFTER + minutes(5),
        )
    rebuild(DAY, now=AFTER + minutes(10))
    assert day_figures(DAY)["no_show"] == 2
    assert day_figures(DAY)["cancelled"] == 3


def test_a_cancellation_recorded_after_the_appointment_began_is_a_no_show():
    office = Office()
    slot = office.slot(at(2026, 3, 10, 9))
    missed = office.book(slot, when=at(2026, 3, 2, 12))
    booking.cancel(
        appointment_id=missed.pk, reason=CancellationReason.RESIDENT, now=at(2026, 3, 10, 10)
    )
    rebuild(DAY, now=AFTER)
    assert day_figures(DAY) == {
        "booked": 1,
        "kept": 0,
        "no_show": 1,
        "cancelled": 0,
        "late_cancelled": 0,
        "cancelled_by_closure": 0,
    }


def test_the_late_cancellation_threshold_is_a_setting(settings):
    settings.LATE_CANCELLATION_HOURS = 48
    office = Office()
    slot = office.slot(at(2026, 3, 10, 9))
    appointment = office.book(slot, when=at(2026, 3, 2, 12))
    booking.cancel(
        appointment_id=appointment.pk, reason=CancellationReason.STAFF, now=at(2026, 3, 9, 3)
    )
    rebuild(DAY, now=AFTER)
    assert day_figures(DAY)["late_cancelled"] == 1  # 30 hours before: late under 48 h
    settings.LATE_CANCELLATION_HOURS = 24
    rebuild(DAY, now=AFTER)
    assert day_figures(DAY)["late_cancelled"] == 0


def test_a_booked_appointment_is_a_no_show_only_after_the_grace_period(settings):
    settings.NO_SHOW_GRACE_MINUTES = 120
    office = Office()
    slot = office.slot(at(2026, 3, 10, 9))  # ends 09:20
    office.book(slot, when=at(2026, 3, 2, 12))
    report = statistics.overview(now=at(2026, 3, 10, 11, 19))
    assert report["periods"]["week"]["no_show"] == 0
    report = statistics.overview(now=at(2026, 3, 10, 11, 21))
    assert report["periods"]["week"]["no_show"] == 1


def test_walk_ins_are_visits_but_not_part_of_termintreue():
    office = Office()
    kept = office.book(office.slot(at(2026, 3, 10, 9)), when=at(2026, 3, 2, 12))
    missed = office.book(office.slot(at(2026, 3, 10, 10)), when=at(2026, 3, 2, 12))
    office.visit(kept, arrive=at(2026, 3, 10, 8, 58), wait=2, serve=10)
    office.people += 1
    walk_in = queue.add_walk_in(
        team=office.team,
        service=office.service,
        person=person(office.people),
        now=at(2026, 3, 10, 9, 30),
    )
    queue.call(appointment_id=walk_in.pk, counter=desk_of(walk_in.pk), now=at(2026, 3, 10, 10, 10))
    rebuild(DAY, now=AFTER)
    assert Appointment.objects.get(pk=missed.pk).status == Status.BOOKED
    walk_in_row = DailyFigure.objects.get(date=DAY, channel=Channel.WALK_IN)
    assert (walk_in_row.kept, walk_in_row.waiting_seconds_sum) == (1, 40 * 60)
    report = statistics.breakdowns(statistics.make_filters(date_from=DAY, date_to=DAY), now=AFTER)
    summary = report["summary"]
    assert (summary["kept"], summary["no_show"], summary["walk_ins"]) == (1, 1, 1)
    assert summary["termintreue"] == 50.0  # not 2 ÷ 3
    assert summary["waiting_minutes"] == 21.0  # (2 + 40) ÷ 2: walk-ins wait too
    walk_in_channel = next(row for row in report["channel"] if row["key"] == Channel.WALK_IN)
    assert walk_in_channel["termintreue"] is None
    assert walk_in_channel["walk_ins"] == 1
    # the walk-in's own closed one-place slot was never offered
    assert DailyCapacity.objects.get(date=DAY).offered_internal == 12


def test_waiting_runs_from_the_first_check_in_to_the_first_call_despite_park_and_recall():
    office = Office()
    slot = office.slot(at(2026, 3, 10, 9))
    parked = office.book(slot, when=at(2026, 3, 2, 12))
    recalled = office.book(slot, when=at(2026, 3, 2, 12))
    # checked in 08:50, first call 09:05, sent back to fetch a document, called again 09:30
    queue.check_in(appointment_id=parked.pk, now=at(2026, 3, 10, 8, 50))
    queue.call(appointment_id=parked.pk, counter=desk_of(parked.pk), now=at(2026, 3, 10, 9, 5))
    queue.park(appointment_id=parked.pk, now=at(2026, 3, 10, 9, 7))
    queue.call(appointment_id=parked.pk, counter=desk_of(parked.pk), now=at(2026, 3, 10, 9, 30))
    queue.start_service(appointment_id=parked.pk, now=at(2026, 3, 10, 9, 31))
    queue.finish(appointment_id=parked.pk, outcome=Outcome.OTHER, now=at(2026, 3, 10, 9, 41))
    # checked in 08:55, called 09:00 without answer, answers the recall at 09:02
    queue.check_in(appointment_id=recalled.pk, now=at(2026, 3, 10, 8, 55))
    queue.call(appointment_id=recalled.pk, counter=desk_of(recalled.pk), now=at(2026, 3, 10, 9, 0))
    queue.recall(appointment_id=recalled.pk, now=at(2026, 3, 10, 9, 2))
    queue.start_service(appointment_id=recalled.pk, now=at(2026, 3, 10, 9, 3))
    # parking keeps the first arrival (the statistics read the events all the same)
    assert Appointment.objects.get(pk=parked.pk).checked_in_at == at(2026, 3, 10, 8, 50)
    rebuild(DAY, now=AFTER)
    figure = DailyFigure.objects.get(date=DAY)
    assert figure.kept == 2
    assert (figure.waiting_seconds_sum, figure.waiting_count) == ((15 + 5) * 60, 2)
    assert (figure.processing_seconds_sum, figure.processing_count) == (10 * 60, 1)


def test_days_and_hours_follow_the_office_clock_on_dst_days():
    office = Office()
    # spring forward (29 March 2026: 23 hours) and fall back (25 October 2026: 25 hours)
    starts = [
        at(2026, 3, 29, 0, 30),
        at(2026, 3, 29, 23, 30),
        at(2026, 3, 30, 0, 10),
        at(2026, 10, 25, 0, 30),
        at(2026, 10, 25, 23, 30),
    ]
    for start in starts:
        slot = office.slot(start)
        office.visit(
            office.book(slot, when=start - dt.timedelta(days=3)), arrive=start, wait=1, serve=1
        )
    statistics.rebuild(
        date_from=dt.date(2026, 3, 28), date_to=dt.date(2026, 10, 26), now=at(2026, 11, 1)
    )
    per_day = dict(DailyFigure.objects.values_list("date", "kept"))
    assert per_day == {
        dt.date(2026, 3, 29): 2,
        dt.date(2026, 3, 30): 1,
        dt.date(2026, 10, 25): 2,
    }
    hours = sorted(HourlyFigure.objects.values_list("date", "hour"))
    assert hours == [
        (dt.date(2026, 3, 29), 0),
        (dt.date(2026, 3, 29), 23),
        (dt.date(2026, 3, 30), 0),
        (dt.date(2026, 10, 25), 0),
        (dt.date(2026, 10, 25), 23),
    ]
    # booked three days ahead by the wall clock: 71, 72 or 73 hours across the change of clocks
    hours = {
        (row[0] // 3600, row[1])
        for row in DailyFigure.objects.values_list("lead_seconds_sum", "lead_count")
    }
    assert hours == {(72 + 71, 2), (71, 1), (72 + 73, 2)}


def test_lead_time_is_elapsed_time_across_the_change_of_clocks():
    office = Office()
    slot = office.slot(at(2026, 3, 30, 8))
    kept = office.book(slot, when=at(2026, 3, 28, 12))
    office.visit(kept, arrive=at(2026, 3, 30, 8), wait=1)
    rebuild(dt.date(2026, 3, 30), now=at(2026, 4, 1))
    figure = DailyFigure.objects.get()
    assert figure.lead_seconds_sum == 43 * 3600  # 12:00 CET to 08:00 CEST
    assert (figure.lead_0_3_kept, figure.lead_4_7_kept) == (1, 0)


def test_reminder_confirmation_is_counted_apart():
    office = Office()
    slot = office.slot(at(2026, 3, 10, 9))
    confirmed = [office.book(slot, when=at(2026, 3, 1, 12)) for _ in range(3)]
    unconfirmed = office.book(slot, when=at(2026, 3, 1, 12))
    for appointment in confirmed:
        booking.confirm_attendance(appointment_id=appointment.pk, now=at(2026, 3, 8, 10))
    office.visit(confirmed[0], arrive=at(2026, 3, 10, 9), wait=1)
    office.visit(confirmed[1], arrive=at(2026, 3, 10, 9), wait=1)
    assert unconfirmed.status == Status.BOOKED
    rebuild(DAY, now=AFTER)
    report = statistics.breakdowns(statistics.make_filters(date_from=DAY, date_to=DAY), now=AFTER)
    rows = {row["key"]: row for row in report["confirmation"]}
    assert (rows["confirmed"]["booked"], rows["confirmed"]["kept"]) == (3, 2)
    assert rows["confirmed"]["termintreue"] == 66.7
    assert (rows["not_confirmed"]["kept"], rows["not_confirmed"]["no_show"]) == (0, 1)


def test_capacity_counts_open_slots_by_contingent_and_utilisation_is_kept_over_offered():
    office = Office()
    online = office.slot(at(2026, 3, 10, 9), capacity=3, contingent=Contingent.ONLINE)
    office.slot(at(2026, 3, 10, 9), capacity=2, contingent=Contingent.INTERNAL)
    closed = office.slot(at(2026, 3, 10, 10), capacity=4)
    Slot.objects.filter(pk=closed.pk).update(closed=True)
    kept = office.book(online, when=at(2026, 3, 2, 12), channel=Channel.ONLINE)
    office.visit(kept, arrive=at(2026, 3, 10, 9), wait=1)
    rebuild(DAY, now=AFTER)
    capacity = DailyCapacity.objects.get(date=DAY)
    assert (capacity.offered_online, capacity.offered_internal) == (3, 2)
    assert (capacity.taken_online, capacity.closed_places) == (1, 4)
    report = statistics.breakdowns(statistics.make_filters(date_from=DAY, date_to=DAY), now=AFTER)
    assert report["summary"]["utilisation"] == 20.0  # 1 kept ÷ 5 offered
    assert report["team"][0]["utilisation"] == 20.0


def test_visits_per_case_counts_the_kept_visits_of_completed_cases():
    apply_service = ServiceFactory()
    pickup = ServiceFactory()
    apply_service.follow_up_service = pickup
    apply_service.save(update_fields=["follow_up_service"])
    office = Office(service=apply_service)
    route_all(pickup, office.team)
    first = office.book(office.slot(at(2026, 3, 10, 9)), when=at(2026, 3, 2, 12))
    queue.check_in(appointment_id=first.pk, now=at(2026, 3, 10, 9))
    queue.call(appointment_id=first.pk, counter=desk_of(first.pk), now=at(2026, 3, 10, 9, 5))
    queue.start_service(appointment_id=first.pk, now=at(2026, 3, 10, 9, 5))
    queue.finish(
        appointment_id=first.pk, outcome=Outcome.APPLICATION_FILED, now=at(2026, 3, 10, 9, 30)
    )
    assert Case.objects.get(pk=first.case_id).completed_at is None
    pickup_slot = Slot.objects.create(
        team=office.team,
        rule=rule_for(office.team, [pickup], weekday=1),
        start=at(2026, 3, 31, 9),
        end=at(2026, 3, 31, 9, 10),
        contingent=Contingent.INTERNAL,
        capacity=2,
    )
    second = queue.book_follow_up(
        appointment_id=first.pk, slot_id=pickup_slot.pk, now=at(2026, 3, 10, 9, 31)
    )
    queue.check_in(appointment_id=second.pk, now=at(2026, 3, 31, 9))
    queue.call(appointment_id=second.pk, counter=desk_of(second.pk), now=at(2026, 3, 31, 9, 1))
    queue.start_service(appointment_id=second.pk, now=at(2026, 3, 31, 9, 1))
    queue.finish(appointment_id=second.pk, outcome=Outcome.TITLE_ISSUED, now=at(2026, 3, 31, 9, 6))
    statistics.rebuild(date_from=DAY, date_to=dt.date(2026, 3, 31), now=at(2026, 4, 2))
    case = CaseFigure.objects.get()
    assert (case.date, case.completed, case.visits) == (dt.date(2026, 3, 31), 1, 2)
    lead = at(2026, 3, 31, 9).timestamp() - at(2026, 3, 10, 9, 31).timestamp()
    assert DailyFigure.objects.get(channel=Channel.FOLLOW_UP).lead_seconds_sum == lead
    report = statistics.overview(now=at(2026, 4, 2, 12))
    # On 2 April the previous month counts only 1–2 March (the same days); the year has it.
    assert report["periods"]["previous_month"]["visits_per_case"] is None
    assert report["periods"]["year"]["visits_per_case"] == 2.0


def test_the_overview_figures_for_the_staff_api_are_plain_json(tuesday):
    rebuild(DAY, now=AFTER)
    figures = statistics.overview_figures(now=AFTER)
    assert json.loads(json.dumps(figures)) == figures
    assert figures["target"] == 83
    week = figures["periods"]["week"]  # Monday 9 March to Thursday 12 March
    assert (week["start"], week["end"]) == ("2026-03-09", "2026-03-12")
    assert (week["kept"], week["no_show"], week["termintreue"]) == (1, 2, 33.3)
    assert [row["key"] for row in figures["weekday"]] == [1, 2, 3, 4, 5]
    other_team = statistics.overview_figures(now=AFTER, team=TeamFactory())
    assert other_team["periods"]["week"]["kept"] == 0


# --- Rebuild -------------------------------------------------------------------------------


def test_rebuilding_twice_gives_the_same_rows(tuesday):
    statistics.rebuild(date_from=DAY - dt.timedelta(days=3), date_to=DAY, now=AFTER)
    first = snapshot()
    assert first["DailyFigure"]
    statistics.rebuild(date_from=DAY - dt.timedelta(days=3), date_to=DAY, now=AFTER)
    assert snapshot() == first
    assert StatisticsDay.objects.count() == 4


def test_a_rebuild_removes_figures_that_no_longer_exist(tuesday):
    rebuild(DAY, now=AFTER)
    assert DailyFigure.objects.filter(channel=Channel.INVITATION).exists()
    Appointment.objects.filter(channel=Channel.INVITATION).update(channel=Channel.STAFF)
    rebuild(DAY, now=AFTER)
    assert not DailyFigure.objects.filter(channel=Channel.INVITATION).exists()
    assert day_figures(DAY)["booked"] == 6


def test_today_and_the_future_are_never_stored_but_computed_live():
    office = Office()
    slot = office.slot(at(2026, 3, 10, 9))
    appointment = office.book(slot, when=at(2026, 3, 2, 12))
    office.visit(appointment, arrive=at(2026, 3, 10, 9), wait=3)
    result = statistics.rebuild(
        date_from=dt.date(2026, 3, 9), date_to=dt.date(2026, 3, 20), now=at(2026, 3, 10, 12)
    )
    assert result.days == [dt.date(2026, 3, 9)]
    assert not DailyFigure.objects.exists()
    live = statistics.overview(now=at(2026, 3, 10, 12))
    assert (live["periods"]["week"]["kept"], live["periods"]["week"]["waiting_minutes"]) == (1, 3.0)
    assert live["periods"]["previous_week"]["kept"] == 0
    # the next day, the figures come from the table once rebuilt, and match
    rebuild(DAY, now=at(2026, 3, 11, 2, 30))
    stored = statistics.overview(now=at(2026, 3, 11, 12))
    assert stored["periods"]["week"]["kept"] == 1
    assert stored["weekday"][1]["kept"] == 1  # Tuesday


def _ordered(rows):
    return sorted(sorted(row.items()) for row in rows)


def test_todays_daily_and_hourly_rows_come_from_one_read_of_the_appointments(
    django_assert_num_queries,
):
    office = Office()
    now = at(2026, 3, 10, 12)
    for hour in (9, 10):
        appointment = office.book(office.slot(at(2026, 3, 10, hour)), when=at(2026, 3, 2, 12))
        queue.check_in(appointment_id=appointment.pk, now=at(2026, 3, 10, hour))
        called = at(2026, 3, 10, hour) + dt.timedelta(seconds=60.5)
        queue.call(appointment_id=appointment.pk, counter=desk_of(appointment.pk), now=called)
        queue.start_service(appointment_id=appointment.pk, now=called)
        finished = called + dt.timedelta(seconds=90.5)
        queue.finish(appointment_id=appointment.pk, outcome=Outcome.OTHER, now=finished)
    office.book(office.slot(at(2026, 3, 10, 9, 20)), when=at(2026, 3, 9, 12))  # missed
    start, end = aggregation.day_start(DAY), aggregation.day_start(DAY + dt.timedelta(days=1))

    with django_assert_num_queries(3):
        live = live_rows(now=now)

    assert _ordered(live["daily"]) == _ordered(aggregation.appointment_rows(start, end, now=now))
    assert _ordered(live["hourly"]) == _ordered(aggregation.hourly_rows(start, end, now=now))
    # Rounded once per row, half to even: 60.5 s is 60 in each hour, 121 s the day.
    assert sorted(row["waiting_seconds_sum"] for row in live["hourly"]) == [60, 60]
    (day,) = live["daily"]
    assert (day["kept"], day["no_show"], day["waiting_seconds_sum"]) == (2, 1, 121)
    assert day["processing_seconds_sum"] == 181


def test_figures_re_aggregate_over_days_and_filters():
    office = Office()
    other = Office(team=office.team)
    for day in (9, 10, 11):
        slot = office.slot(at(2026, 3, day, 9))
        for _ in range(2):
            kept = office.book(slot, when=at(2026, 3, 1, 12))
            office.visit(kept, arrive=at(2026, 3, day, 9), wait=day)
        office.book(slot, when=at(2026, 3, 1, 12))
        other.book(other.slot(at(2026, 3, day, 10)), when=at(2026, 3, 1, 12))
    statistics.rebuild(date_from=dt.date(2026, 3, 9), date_to=dt.date(2026, 3, 11), now=AFTER)
    everything = statistics.make_filters(
        date_from=dt.date(2026, 3, 9), date_to=dt.date(2026, 3, 11)
    )
    summary = statistics.breakdowns(everything, now=at(2026, 3, 20))["summary"]
    assert (summary["kept"], summary["no_show"]) == (6, 6)
    assert summary["waiting_minutes"] == 10.0  # (2·9 + 2·10 + 2·11) ÷ 6
    one_service = statistics.make_filters(
        date_from=dt.date(2026, 3, 10), date_to=dt.date(2026, 3, 11), service=office.service
    )
    summary = statistics.breakdowns(one_service, now=at(2026, 3, 20))["summary"]
    assert (summary["kept"], summary["no_show"], summary["termintreue"]) == (4, 2, 66.7)


# --- Nightly and concurrent rebuilds --------------------------------------------------------


def test_the_nightly_run_rebuilds_yesterday_and_days_changed_late():
    office = Office()
    slot = office.slot(at(2026, 3, 10, 9))
    stays = office.book(slot, when=at(2026, 3, 2, 12))
    office.visit(stays, arrive=at(2026, 3, 10, 9), wait=2)
    with time_machine.travel(at(2026, 3, 11, 2, 30), tick=False):
        result = statistics.rebuild_nightly()
    assert result["days"] == ["2026-03-10"]
    assert day_figures(DAY)["kept"] == 1
    # three days later staff correct the record: the resident was in fact not there
    queue.mark_no_show(confirm=True, appointment_id=stays.pk, now=at(2026, 3, 13, 16))
    with time_machine.travel(at(2026, 3, 14, 2, 30), tick=False):
        result = statistics.rebuild_nightly()
    assert result["days"] == ["2026-03-10", "2026-03-13"]
    assert (day_figures(DAY)["kept"], day_figures(DAY)["no_show"]) == (0, 1)
    assert Event.objects.filter(action=NIGHTLY_ACTION).count() == 2
    # nothing changed since: only yesterday
    with time_machine.travel(at(2026, 3, 15, 2, 30), tick=False):
        assert statistics.rebuild_nightly()["days"] == ["2026-03-14"]


def test_the_nightly_task_runs_the_rebuild():
    from appointments.tasks import rebuild_statistics

    with time_machine.travel(at(2026, 3, 11, 2, 30), tick=False):
        result = rebuild_statistics.delay().get()
    assert result == {"days": ["2026-03-10"], "figures": 0}
    assert StatisticsDay.objects.filter(date=DAY).exists()


def test_the_beat_schedule_runs_the_rebuild_every_night(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["rebuild-statistics"]
    assert entry["task"] == "appointments.tasks.rebuild_statistics"
    assert entry["schedule"].hour == {2} and entry["schedule"].minute == {30}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_rebuilds_of_overlapping_ranges_agree_with_a_single_one():
    office = Office()
    for day in range(2, 28):
        start = at(2026, 3, day, 9)
        slot = office.slot(start)
        kept = office.book(slot, when=start - dt.timedelta(days=5))
        office.visit(kept, arrive=start, wait=day % 7)
        office.book(slot, when=start - dt.timedelta(days=9))
    now = at(2026, 4, 1)
    statistics.rebuild(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31), now=now)
    expected = snapshot()
    ranges = [(1, 31), (5, 20), (10, 31), (1, 15), (12, 13), (1, 31), (20, 31), (2, 29)]
    barrier = threading.Barrier(len(ranges))
    errors = []

    def run(first, last):
        try:
            barrier.wait(timeout=30)
            statistics.rebuild(
                date_from=dt.date(2026, 3, first), date_to=dt.date(2026, 3, last), now=now
            )
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=span) for span in ranges]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert snapshot() == expected
    assert DailyFigure.objects.filter(date__month=3).count() == 26


# --- Forecast ------------------------------------------------------------------------------


def test_the_forecast_multiplies_bookings_by_the_measured_show_up_rate():
    office = Office()
    today = dt.date(2026, 3, 16)  # a Monday
    # measured over past Tuesdays: staff bookings of this service came 3 times out of 4
    DailyFigure.objects.create(
        date=dt.date(2026, 3, 10),
        team=office.team,
        service=office.service,
        channel=Channel.STAFF,
        booked=40,
        kept=30,
        no_show=10,
    )
    tuesday_slot = office.slot(at(2026, 3, 17, 9), capacity=10)
    for _ in range(8):
        office.book(tuesday_slot, when=at(2026, 3, 16, 8))
    rows = statistics.forecast(now=at(2026, 3, 16, 8, 30))
    assert [row["date"] for row in rows][:2] == [today, dt.date(2026, 3, 17)]
    assert len(rows) == 10 and all(row["date"].weekday() < 5 for row in rows)
    tuesday = rows[1]
    assert (tuesday["booked"], tuesday["expected"], tuesday["expected_no_shows"]) == (8, 6, 2)
    assert (tuesday["offered"], tuesday["taken"], tuesday["free"]) == (10, 8, 2)
    assert tuesday["expected_empty"] == 4
    assert rows[0]["booked"] == 0


def test_the_forecast_falls_back_to_the_target_without_history(settings):
    settings.STATISTICS_TARGET_PERCENT = 80
    office = Office()
    slot = office.slot(at(2026, 3, 17, 9), capacity=10)
    for _ in range(5):
        office.book(slot, when=at(2026, 3, 16, 8))
    rows = statistics.forecast(now=at(2026, 3, 16, 8, 30), team=office.team)
    assert (rows[1]["booked"], rows[1]["expected"]) == (5, 4)


def test_the_forecast_skips_public_holidays():
    days = statistics.working_days(dt.date(2026, 4, 2), 3)  # Good Friday, Easter Monday
    assert days == [dt.date(2026, 4, 2), dt.date(2026, 4, 7), dt.date(2026, 4, 8)]


# --- Command and demo history --------------------------------------------------------------


def test_the_command_rebuilds_a_range(tuesday, capsys):
    with time_machine.travel(AFTER, tick=False):
        call_command("rebuild_statistics", "--from", "2026-03-09", "--to", "2026-03-10")
    assert "Rebuilt 2 day(s)" in capsys.readouterr().out
    assert day_figures(DAY)["booked"] == 6


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2026-02-30"], "is not a date"),
        (["--from", "10.03.2026"], "is not a date"),
        (["--from", "2026-03-10", "--to", "2026-03-01"], "is after"),
        (["--from", "2026-03-12"], "Only past days"),
    ],
)
def test_the_command_refuses_bad_dates_clearly(arguments, message):
    with time_machine.travel(AFTER, tick=False), pytest.raises(CommandError, match=message):
        call_command("rebuild_statistics", *arguments)


def test_the_command_says_what_it_does(capsys):
    with pytest.raises(SystemExit):
        call_command("rebuild_statistics", "--help")
    assert "Rebuild the statistics" in capsys.readouterr().out


def test_the_demo_history_is_realistic_and_created_once():
    office = Office()
    rule_for(office.team, [office.service], weekday=1, capacity=4, online_capacity=2)
    rule_for(office.team, [office.service], weekday=3, capacity=4, online_capacity=2)
    now = at(2026, 3, 20, 12)
    history = demo_history.create_history(months=3, now=now)
    assert history.appointments > 200
    assert history.last_day == dt.date(2026, 3, 19)
    assert Appointment.objects.filter(slot__start__gte=at(2026, 3, 20)).count() == 0
    again = demo_history.create_history(months=3, now=now)
    assert again.appointments == 0
    assert Appointment.objects.count() == history.appointments
    statistics.rebuild(date_from=history.first_day, date_to=history.last_day, now=now)
    report = statistics.breakdowns(
        statistics.make_filters(date_from=history.first_day, date_to=history.last_day), now=now
    )
    assert 75 <= report["summary"]["termintreue"] <= 90
    channels = {row["key"]: row for row in report["channel"]}
    assert channels["walk_in"]["walk_ins"] > 0
    assert report["summary"]["cancelled"] > 0 and report["summary"]["late_cancelled"] > 0
    assert report["confirmation"][0]["termintreue"] > report["confirmation"][1]["termintreue"]
