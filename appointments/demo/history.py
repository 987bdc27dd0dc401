"""A realistic past for the demo: some months of slots, appointments, walk-ins and cases, so the
reports have something to show (about 83 % kept: invited residents come more often than
self-booked ones, long lead times bring more no-shows, confirmed reminders fewer).

Written with bulk inserts straight into the tables (the booking functions refuse the past);
idempotent: nothing happens when a history exists.
"""

import datetime as dt
import random
import secrets
from collections import defaultdict, deque
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from ..availability import local_datetime, office_closed
from ..codes import hash_token, new_code
from ..models import (
    Appointment,
    CancellationReason,
    Case,
    Channel,
    Contingent,
    OpeningRule,
    Outcome,
    Slot,
    Status,
)
from ..names import email_key, surname_key
from ..scheduling import slot_windows

EMAIL_DOMAIN = "history.demo.invalid"

# How likely a booked resident comes, by channel (before lead time and confirmation).
SHOW_UP = {
    Channel.INVITATION: 0.94,
    Channel.FOLLOW_UP: 0.88,
    Channel.STAFF: 0.83,
    Channel.ONLINE: 0.77,
}
# Each lead day beyond three costs this much show-up probability.
LEAD_PENALTY_PER_DAY = 0.004
# Share of residents answering the reminder with "I will come", and how often they come.
CONFIRM_RATE = 0.3
SHOW_UP_CONFIRMED = 0.95
CANCEL_RATE = 0.08
LATE_SHARE = 0.35

PEOPLE = [
    ("Yılmaz", "TR"),
    ("Kaya", "TR"),
    ("Demir", "TR"),
    ("Nowak", "PL"),
    ("Kowalski", "PL"),
    ("Haddad", "SY"),
    ("Al-Hassan", "SY"),
    ("Petrenko", "UA"),
    ("Shevchenko", "UA"),
    ("Ivanova", "RU"),
    ("Singh", "IN"),
    ("Patel", "IN"),
    ("Nguyen", "VN"),
    ("Rossi", "IT"),
    ("Bakker", "NL"),
    ("Okafor", "NG"),
    ("Santos", "BR"),
    ("Chen", "CN"),
    ("Ahmadi", "AF"),
    ("Mensah", "GH"),
]
GIVEN = ["Ayşe", "Mehmet", "Jan", "Omar", "Olena", "Marija", "Arjun", "Lan", "Sanne", "Chinedu"]


@dataclass
class History:
    first_day: dt.date
    last_day: dt.date
    appointments: int = 0


def _existing():
    return Appointment.objects.filter(email_key__endswith=f"@{EMAIL_DOMAIN}")


class _Builder:
    """Collects unsaved rows; `save` writes them in a few bulk inserts."""

    def __init__(self, rng):
        self.rng = rng
        self.slots, self.cases, self.appointments = [], [], []
        self.codes = set()
        self.numbers = defaultdict(int)
        self.open_cases = defaultdict(deque)  # team → cases waiting for the card handover

    def _code(self):
        while True:
            code = new_code()
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _person(self, n):
        surname, nationality = self.rng.choice(PEOPLE)
        email = f"h{n}@{EMAIL_DOMAIN}"
        return {
            "surname": surname,
            "given_names": self.rng.choice(GIVEN),
            "date_of_birth": dt.date(1960 + self.rng.randrange(45), 1 + self.rng.randrange(12), 9),
            "email": email,
            "nationality": nationality,
            "language": self.rng.choice(["de", "de", "en", "tr", "ar", "ru", "uk"]),
            "surname_key": surname_key(surname),
            "email_key": email_key(email),
            "code": self._code(),
            "token_hash": hash_token(secrets.token_urlsafe(8)),
        }

    def _visit(self, fields, *, slot, team, arrival, wait_minutes, service, calls=1):
        day = timezone.localdate(slot.start)
        self.numbers[(team.pk, day)] += 1
        called = arrival + dt.timedelta(minutes=wait_minutes)
        fields.update(
            queue_team=team,
            waiting_number=f"{team.waiting_prefix}-{self.numbers[(team.pk, day)]:03d}",
            checked_in_at=arrival,
            arrived_late=arrival > slot.start + dt.timedelta(minutes=settings.ARRIVAL_LATE_MINUTES),
            first_called_at=called,
            called_at=called + dt.timedelta(minutes=2 * (calls - 1)),
            call_count=calls,
        )
        if calls >= settings.MAX_UNANSWERED_CALLS:
            fields.update(status=Status.NO_SHOW, no_show_at=fields["called_at"])
            return fields
        started = fields["called_at"] + dt.timedelta(minutes=1)
        finished = started + dt.timedelta(
            minutes=service.duration_minutes * self.rng.uniform(0.6, 1.3)
        )
        fields.update(
            status=Status.COMPLETED,
            in_service_at=started,
            completed_at=finished,
            outcome=Outcome.APPLICATION_FILED if service.follow_up_service_id else Outcome.OTHER,
        )
        return fields

    def appointment(self, *, slot, team, service, channel, closed_day):
        """One booked place: who, when booked, reminded, and whether they came."""
        rng = self.rng
        n = len(self.appointments)
        lead = {
            Channel.ONLINE: lambda: rng.choice([1, 2, 3, 5, 7, 9, 12, 14, 18, 21, 25, 28]),
            Channel.INVITATION: lambda: rng.randint(14, 42),
            Channel.STAFF: lambda: rng.randint(0, 14),
            Channel.FOLLOW_UP: lambda: rng.randint(14, 35),
        }[channel]()
        case, first_visit_end = None, None
        if channel == Channel.FOLLOW_UP and self.open_cases[team.pk]:
            case, first_visit_end = self.open_cases[team.pk].popleft()
        if first_visit_end and first_visit_end < slot.start:
            booked_at = first_visit_end
        else:
            booked_day = timezone.localdate(slot.start) - dt.timedelta(days=lead)
            booked_at = local_datetime(booked_day, dt.time(rng.randint(7, 19), rng.randrange(60)))
            booked_at = min(booked_at, slot.start - dt.timedelta(hours=1))
        if case is None:
            case = Case(service=service, created_at=booked_at)
            self.cases.append(case)
        fields = {
            **self._person(n),
            "slot": slot,
            "service": service,
            "case": case,
            "channel": channel,
            "created_at": booked_at,
            "held_at": booked_at,
            "booked_at": booked_at,
        }
        hours_ahead = (slot.start - booked_at).total_seconds() / 3600
        confirmed = hours_ahead > 48 and rng.random() < CONFIRM_RATE
        if confirmed:
            fields["attendance_confirmed_at"] = slot.start - dt.timedelta(hours=rng.randint(20, 46))
        if closed_day:
            fields.update(
                status=Status.CANCELLED,
                cancellation_reason=CancellationReason.CLOSURE,
                cancelled_at=slot.start - dt.timedelta(days=3),
            )
            return self._add(fields)
        if rng.random() < CANCEL_RATE:
            late = rng.random() < LATE_SHARE
            before = rng.uniform(1, 23) if late else rng.uniform(25, max(hours_ahead, 26))
            fields.update(
                status=Status.CANCELLED,
                cancellation_reason=rng.choice([CancellationReason.RESIDENT] * 6 + ["staff"]),
                cancelled_at=max(slot.start - dt.timedelta(hours=before), booked_at),
            )
            return self._add(fields)
        slot.booked += 1
        show_up = SHOW_UP[channel] - LEAD_PENALTY_PER_DAY * max(0, hours_ahead / 24 - 3)
        if confirmed:
            show_up = SHOW_UP_CONFIRMED
        if rng.random() >= show_up:
            if rng.random() < 0.12:  # came, but did not answer three calls
                arrival = slot.start - dt.timedelta(minutes=rng.randint(0, 10))
                return self._add(
                    self._visit(
                        fields,
                        slot=slot,
                        team=team,
                        arrival=arrival,
                        wait_minutes=10,
                        service=service,
                        calls=settings.MAX_UNANSWERED_CALLS,
                    )
                )
            grace = dt.timedelta(minutes=settings.NO_SHOW_GRACE_MINUTES)
            fields.update(status=Status.NO_SHOW, no_show_at=slot.end + grace)
            return self._add(fields)
        arrival = slot.start + dt.timedelta(minutes=rng.randint(-15, 12))
        fields = self._visit(
            fields,
            slot=slot,
            team=team,
            arrival=arrival,
            wait_minutes=rng.choice([2, 4, 6, 8, 10, 12, 15, 18, 25, 35]),
            service=service,
            calls=2 if rng.random() < 0.08 else 1,
        )
        if service.follow_up_service_id and channel != Channel.FOLLOW_UP:
            self.open_cases[team.pk].append((case, fields["completed_at"]))
        else:
            case.completed_at = fields["completed_at"]
        return self._add(fields)

    def walk_in(self, *, team, service, day):
        """An urgent visit without appointment: its own closed one-place slot, as reception
        creates it."""
        rng = self.rng
        arrival = local_datetime(day, dt.time(rng.randint(8, 11), rng.randrange(60)))
        slot = Slot(
            team=team,
            start=arrival,
            end=arrival + dt.timedelta(minutes=service.duration_minutes),
            contingent=Contingent.INTERNAL,
            capacity=1,
            booked=1,
            closed=True,
        )
        self.slots.append(slot)
        case = Case(service=service, created_at=arrival)
        self.cases.append(case)
        fields = {
            **self._person(len(self.appointments)),
            "slot": slot,
            "service": service,
            "case": case,
            "channel": Channel.WALK_IN,
            "priority": 1,
            "created_at": arrival,
            "held_at": arrival,
            "booked_at": arrival,
        }
        fields = self._visit(
            fields,
            slot=slot,
            team=team,
            arrival=arrival,
            wait_minutes=rng.randint(15, 60),
            service=service,
        )
        if service.follow_up_service_id:
            self.open_cases[team.pk].append((case, fields["completed_at"]))
        else:
            case.completed_at = fields["completed_at"]
        return self._add(fields)

    def _add(self, fields):
        self.appointments.append(fields)
        return fields

    def save(self):
        Slot.objects.bulk_create(self.slots, batch_size=1000)
        Case.objects.bulk_create(self.cases, batch_size=1000)
        rows = []
        for fields in self.appointments:
            fields["slot_id"] = fields.pop("slot").pk
            fields["case_id"] = fields.pop("case").pk
            rows.append(Appointment(**fields))
        Appointment.objects.bulk_create(rows, batch_size=1000)
        return len(rows)


def _channel_for(rng, contingent, service, follow_ups):
    if contingent == Contingent.ONLINE:
        return Channel.ONLINE
    if service.pk in follow_ups:
        return Channel.FOLLOW_UP
    return rng.choices([Channel.INVITATION, Channel.STAFF], weights=[6, 4])[0]


@transaction.atomic
def create_history(*, months=4, now=None, seed=2014):
    """Fill the past `months` (up to yesterday) with slots from the opening rules, booked
    appointments and their outcomes, walk-ins and cases; returns the range it covers."""
    now = now or timezone.now()
    existing = _existing().aggregate(first=Min("slot__start"), last=Max("slot__start"))
    if existing["first"]:
        return History(timezone.localdate(existing["first"]), timezone.localdate(existing["last"]))
    rng = random.Random(seed)
    last_day = timezone.localdate(now) - dt.timedelta(days=1)
    first_day = last_day - dt.timedelta(days=round(months * 30.5))
    rules = list(OpeningRule.objects.select_related("team").prefetch_related("services"))
    services = {service.pk: service for rule in rules for service in rule.services.all()}
    follow_ups = {s.follow_up_service_id for s in services.values()}
    taken = set(
        Slot.objects.filter(
            start__gte=local_datetime(first_day, dt.time.min),
            start__lt=local_datetime(last_day + dt.timedelta(days=1), dt.time.min),
        ).values_list("rule_id", "start", "contingent")
    )
    # A staff meeting closed one team for a day: its appointments were cancelled.
    closed_day = first_day + dt.timedelta(days=45)
    closed_team = rules[0].team_id if rules else None
    builder = _Builder(rng)
    day = first_day
    while day <= last_day:
        if day.weekday() < 5 and not office_closed(day):
            teams = {}
            for rule in rules:
                if rule.weekday != day.weekday():
                    continue
                teams[rule.team_id] = rule.team
                rule_services = list(rule.services.all())
                closed = day == closed_day and rule.team_id == closed_team
                for start, end in slot_windows(rule, day):
                    for contingent, capacity in (
                        (Contingent.ONLINE, rule.online_capacity),
                        (Contingent.INTERNAL, rule.capacity - rule.online_capacity),
                    ):
                        if capacity <= 0 or (rule.pk, start, contingent) in taken:
                            continue
                        slot = Slot(
                            team=rule.team,
                            rule=rule,
                            start=start,
                            end=end,
                            contingent=contingent,
                            capacity=capacity,
                            closed=closed,
                        )
                        builder.slots.append(slot)
                        fill = 0.92 if contingent == Contingent.ONLINE else 0.8
                        for _place in range(capacity):
                            if rng.random() >= fill:
                                continue
                            service = rng.choice(rule_services)
                            builder.appointment(
                                slot=slot,
                                team=rule.team,
                                service=service,
                                channel=_channel_for(rng, contingent, service, follow_ups),
                                closed_day=closed,
                            )
            for team in teams.values():
                for _walk_in in range(rng.choice([0, 1, 1, 2, 3])):
                    general = [s for s in services.values() if s.bookable_online]
                    builder.walk_in(team=team, service=rng.choice(general), day=day)
        day += dt.timedelta(days=1)
    return History(first_day, last_day, builder.save())
