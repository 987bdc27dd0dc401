"""Does a bot gain anything? A month of one scarce service, "first come" against "allocation +
waitlist", simulated with the real code on a throwaway database.

    .venv/bin/python benchmarks/fairness_benchmark.py [--residents 120] [--seed N]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/abh_bench_fair \
        .venv/bin/python benchmarks/fairness_benchmark.py  # flushed first: "bench" or "fair"

Every place moves through the real domain functions (booking.book/verify/cancel, the
allocator's tasks, accept_offer/decline_offer, the sweepers of the beat schedule); the clock is
moved with time-machine from event to event, nothing sleeps. Events: residents arrive (some
register a wish, with double opt-in), check the site once or twice a day at random times,
answer offers at their next check (accept, decline, or let it lapse), cancel ~10 % of their
appointments; the beat runs the sweepers on its 60-second grid whenever something is due; a
task enqueued after a commit runs on the worker a moment later. The bot polls every few
seconds: modelled event-driven, it looks at the public calendar at its next poll after every
change and books each free place it sees (with a fresh identity each time, for resale); in
allocation mode it also registers one wish, as one person.
"""

import argparse
import datetime as dt
import heapq
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesbaden_abh.settings")
    os.environ.setdefault("EMAIL_URL", "dummymail://")
    if not os.environ.get("DATABASE_URL"):  # a throwaway SQLite file
        _SHM = "/dev/shm" if Path("/dev/shm").is_dir() else None  # no fsync on a RAM disk
        _TMP = Path(tempfile.mkdtemp(prefix="fairness-", dir=_SHM))
        os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'fairness.sqlite3'}"
    import django

    django.setup()

import time_machine
from django.db.models import F, Sum

from appointments import background, booking, tasks
from appointments.availability import available_days
from appointments.errors import BookingError
from appointments.models import (
    Appointment,
    CancellationReason,
    Channel,
    DayRelease,
    DelayedRelease,
    Offer,
    OfferState,
    OpeningRule,
    ReleaseMode,
    ResponsibilityRule,
    Service,
    Slot,
    Status,
    Team,
    UrgencyReason,
)
from appointments.people import Person
from appointments.scheduling import generate_slots
from appointments.waitlist import allocation, wishes

BERLIN = ZoneInfo("Europe/Berlin")
# A Monday in February: no DST change and no public holiday in Hesse within the month.
START = dt.datetime(2027, 2, 1, 0, 0, tzinfo=BERLIN)
MODES = (ReleaseMode.FIRST_COME, ReleaseMode.ALLOCATION)
CLASSES = ("urgent", "reason", "routine")
CLASS_LABELS = {
    "urgent": "urgent (permit expires ≤ 5 weeks)",
    "reason": "reason (job, travel, benefits)",
    "routine": "routine",
}
OFFER_TASKS = {"appointments.tasks.offer_freed_places", "appointments.tasks.offer_free_places"}
LETTERS = "abcdefghijklmnopqrstuvwxyz"
QUIET = object()  # what a handler returns when it changed nothing (no follow-up needed)


@dataclass(frozen=True)
class Config:
    residents: int = 120
    days: int = 28
    seed: int = 1
    slots_per_day: int = 4  # 30-minute slots from 08:00, one online place each, weekdays
    bot_poll_seconds: float = 5.0
    beat_seconds: int = 60
    worker_latency: tuple = (0.05, 1.0)  # seconds from a commit to the task on the worker
    cancel_rate: float = 0.10
    no_show_rate: float = 0.05
    bot_unsold_rate: float = 0.20  # resold places nobody bought: the bot's no-shows
    unverified_rate: float = 0.05  # public bookings whose mail link is never opened
    answers: tuple = (0.75, 0.15)  # an offer: accepted, declined (the rest lapses)
    backlog_share: float = 0.4  # residents already waiting when the month starts


@dataclass
class Resident:
    n: int
    klass: str
    arrival: dt.datetime
    checks_per_day: int
    permit_expires_on: dt.date | None
    reason: str
    weekdays: str
    person: Person
    wish_id: int | None = None
    appointment_id: int | None = None
    booked_at: dt.datetime | None = None
    slot_start: dt.datetime | None = None
    answered: set = field(default_factory=set)
    gone: bool = False


@dataclass
class Result:
    mode: str
    seed: int
    places: int = 0
    bot_places: int = 0
    resident_places: int = 0
    most_by_one_resident: int = 0
    served: dict = field(default_factory=dict)  # class → (served, total)
    median_wait_days: dict = field(default_factory=dict)
    urgent_in_time: tuple = (0, 0)
    offers: dict = field(default_factory=dict)
    no_shows: int = 0
    empty_places: int = 0
    seconds: float = 0.0

    @property
    def bot_share(self):
        total = self.bot_places + self.resident_places
        return self.bot_places / total if total else 0.0

    @property
    def urgent_in_time_share(self):
        served, total = self.urgent_in_time
        return served / total if total else 0.0


def _name(prefix, n):
    return prefix + "".join(LETTERS[int(d)] for d in f"{n:05d}")


def population(cfg):
    """The same residents for both modes (drawn from the seed alone)."""
    rng = random.Random(cfg.seed)
    people = []
    for n in range(cfg.residents):
        if rng.random() < cfg.backlog_share:
            arrival = START + dt.timedelta(hours=rng.uniform(0, 6))
        else:
            arrival = START + dt.timedelta(days=rng.uniform(0, cfg.days - 7))
        roll = rng.random()
        if roll < 0.3:
            klass, reason = "urgent", ""
            expires = arrival.date() + dt.timedelta(days=rng.randint(10, 35))
        elif roll < 0.55:
            klass = "reason"
            reason = rng.choice([UrgencyReason.BENEFITS, UrgencyReason.JOB_START, "travel"])
            expires = arrival.date() + dt.timedelta(days=rng.randint(90, 300))
        else:
            klass, reason = "routine", ""
            expires = arrival.date() + dt.timedelta(days=rng.randint(90, 300))
        weekdays = "" if rng.random() < 0.7 else "".join(sorted(rng.sample("01234", 3)))
        person = Person(
            surname=_name("Bewohner", n),
            given_names=_name("Ana", n),
            date_of_birth=dt.date(1960, 1, 1) + dt.timedelta(days=n * 37 % 15000),
            email=f"resident{n}@example.test",
            nationality="TR",
            language="de",
        )
        people.append(
            Resident(
                n=n,
                klass=klass,
                arrival=arrival,
                checks_per_day=rng.choice((1, 2)),
                permit_expires_on=expires,
                reason=str(reason),
                weekdays=weekdays,
                person=person,
            )
        )
    return people


def office(cfg, mode):
    """One team, one scarce service in `mode`, slots generated by the real scheduler."""
    service = Service.objects.create(
        slug=f"knapp-{mode}",
        name="Knappes Anliegen",
        documents=[{"de": "Reisepass"}],
        duration_minutes=30,
        booking_window_min_days=1,
        booking_window_max_days=7,
        release_mode=mode,
        # in allocation mode since long before: every day released in the month goes to
        # the waitlist first
        release_mode_changed_at=START - dt.timedelta(days=60)
        if mode == ReleaseMode.ALLOCATION
        else None,
    )
    prefix = "FA" if mode == ReleaseMode.FIRST_COME else "FB"
    team = Team.objects.create(name=f"Team {mode}", waiting_prefix=prefix)
    ResponsibilityRule.objects.create(service=service, team=team, letter_from="A", letter_to="Z")
    end = (
        dt.datetime.combine(dt.date(2000, 1, 1), dt.time(8))
        + dt.timedelta(minutes=30 * cfg.slots_per_day)
    ).time()
    for weekday in range(5):
        rule = OpeningRule.objects.create(
            team=team,
            weekday=weekday,
            start_time=dt.time(8),
            end_time=end,
            slot_minutes=30,
            capacity=1,
            online_capacity=1,
            valid_from=dt.date(2020, 1, 1),
        )
        rule.services.add(service)
    generate_slots(days=cfg.days + 10, now=START)
    return service, team


class _SeededSecrets:
    """The wish lottery draws its seed from `secrets`; here from the run's seed, so a run
    can be repeated exactly."""

    def __init__(self, rng):
        self.rng = rng

    def token_hex(self, nbytes=32):
        return f"{self.rng.getrandbits(nbytes * 8):0{nbytes * 2}x}"


class Simulation:
    def __init__(self, cfg, mode):
        self.cfg = cfg
        self.mode = mode
        self.rng = random.Random(f"{cfg.seed}:{mode}")
        self.queue = []
        self.seq = 0
        self.enqueued = []
        self.polls = set()
        self.next_tick = None
        self.bot_appointments = []
        self.bot_identities = 0
        self.bot_wish_token = None
        self.end = START + dt.timedelta(days=cfg.days)
        self.beat_phase = self.rng.uniform(0, cfg.beat_seconds)

    # --- the event queue ---------------------------------------------------------------
    def push(self, at, kind, data=None):
        self.seq += 1
        heapq.heappush(self.queue, (at, self.seq, kind, data))

    def beat_after(self, at):
        """The first beat tick at or after `at` (the beat fires every beat_seconds)."""
        offset = (at - START).total_seconds() - self.beat_phase
        ticks = max(0, -(-offset // self.cfg.beat_seconds))
        return START + dt.timedelta(seconds=self.beat_phase + ticks * self.cfg.beat_seconds)

    def poll_after(self, at):
        """The bot's next poll after `at` (it polls every bot_poll_seconds, phase random)."""
        step = self.cfg.bot_poll_seconds
        offset = (at - START).total_seconds()
        return START + dt.timedelta(seconds=(offset // step + 1) * step)

    def next_check(self, resident, at):
        local = at.astimezone(BERLIN)
        if resident.checks_per_day == 2 and local.hour < 14:
            day, hours = local.date(), (14, 22)
        else:
            day, hours = local.date() + dt.timedelta(days=1), (7, 22)
            if resident.checks_per_day == 2:
                hours = (7, 14)
        start = dt.datetime.combine(day, dt.time(hours[0]), tzinfo=BERLIN)
        return start + dt.timedelta(seconds=self.rng.uniform(0, (hours[1] - hours[0]) * 3600))

    # --- run ---------------------------------------------------------------------------
    def run(self, residents):
        began = time.monotonic()
        self.service, self.team = office(self.cfg, self.mode)
        self.residents = residents
        for resident in residents:
            self.push(resident.arrival, "arrive", resident)
        day = START.date()
        while day <= self.end.date():  # the daily release at 07:00
            self.push(dt.datetime.combine(day, self.service.release_time, tzinfo=BERLIN), "release")
            day += dt.timedelta(days=1)
        self.push(START, "poll")
        if self.mode == ReleaseMode.ALLOCATION:
            self.push(START + dt.timedelta(minutes=1), "bot_wish")
        original_enqueue = background.enqueue
        original_secrets = wishes.secrets
        background.enqueue = lambda name, *args: self.enqueued.append((name, args)) or True
        wishes.secrets = _SeededSecrets(self.rng)
        try:
            with time_machine.travel(START, tick=False) as traveller:
                while self.queue:
                    at, _seq, kind, data = heapq.heappop(self.queue)
                    if at > self.end:
                        break
                    traveller.move_to(at)
                    quiet = getattr(self, f"on_{kind}")(at, data) is QUIET
                    if kind != "poll" and not quiet:
                        self.after(at)
                result = self.measure()
        finally:
            background.enqueue = original_enqueue
            wishes.secrets = original_secrets
        result.seconds = time.monotonic() - began
        return result

    def after(self, at):
        """What an event set in motion: tasks for the worker, the bot's next look, the next
        beat tick when something falls due."""
        for name, args in self.enqueued:
            if name in OFFER_TASKS:
                self.push(
                    at + dt.timedelta(seconds=self.rng.uniform(*self.cfg.worker_latency)),
                    "task",
                    (name, args),
                )
        self.enqueued.clear()
        poll = self.poll_after(at)
        if poll not in self.polls:
            self.polls.add(poll)
            self.push(poll, "poll")
        dues = [
            DelayedRelease.objects.order_by("release_at")
            .values_list("release_at", flat=True)
            .first(),
            Offer.objects.filter(state=OfferState.OPEN)
            .order_by("expires_at")
            .values_list("expires_at", flat=True)
            .first(),
            Appointment.objects.filter(status=Status.HELD)
            .order_by("hold_expires_at")
            .values_list("hold_expires_at", flat=True)
            .first(),
        ]
        due = min((d for d in dues if d is not None), default=None)
        if due is not None:
            tick = self.beat_after(due)
            if self.next_tick is None or tick < self.next_tick:
                self.next_tick = tick
                self.push(tick, "tick")

    # --- handlers ----------------------------------------------------------------------
    def on_tick(self, at, _data):
        if self.next_tick == at:
            self.next_tick = None
        before = set(DayRelease.objects.values_list("pk", flat=True))
        tasks.expire_holds()
        tasks.release_delayed_places()
        tasks.sweep_waitlist()
        tasks.release_days_to_waitlist()
        for public_at in DayRelease.objects.exclude(pk__in=before).values_list(
            "public_at", flat=True
        ):
            self.push(public_at, "wake")  # the day's leftovers go public then

    def on_release(self, at, _data):
        self.push(self.beat_after(at), "tick")

    def on_wake(self, at, _data):
        return None  # only the bot's next poll (after) matters

    def on_task(self, at, data):
        name, args = data
        {
            "appointments.tasks.offer_freed_places": tasks.offer_freed_places,
            "appointments.tasks.offer_free_places": tasks.offer_free_places,
        }[name](*args)

    def public_slots(self, at):
        today = at.astimezone(BERLIN).date()
        return [
            slot
            for _day, slots in available_days(
                service=self.service,
                team=self.team,
                date_from=today,
                date_to=today + dt.timedelta(days=30),
                now=at,
            )
            for slot in slots
        ]

    def on_arrive(self, at, resident):
        if self.mode == ReleaseMode.ALLOCATION:
            wish, token = wishes.register_wish(
                service=self.service,
                person=resident.person,
                preferences=wishes.Preferences(weekdays=resident.weekdays),
                permit_expires_on=resident.permit_expires_on,
                urgency_reason=resident.reason,
                now=at,
            )
            resident.wish_id = wish.pk
            self.push(at + dt.timedelta(minutes=self.rng.uniform(1, 30)), "confirm", token)
        self.push(at + dt.timedelta(seconds=1), "check", resident)

    def on_confirm(self, at, token):
        wishes.confirm_wish(token=token, now=at)

    def on_check(self, at, resident):
        if resident.gone:
            return QUIET
        answered = False
        if resident.wish_id is not None:
            offer = Offer.objects.filter(wish_id=resident.wish_id, state=OfferState.OPEN).first()
            if offer is not None and offer.pk not in resident.answered:
                resident.answered.add(offer.pk)
                roll = self.rng.random()
                accept, decline = self.cfg.answers
                try:
                    if roll < accept:
                        appointment, _token = allocation.accept_offer(offer_id=offer.pk, now=at)
                        return self.booked(resident, appointment, at)
                    if roll < accept + decline:
                        allocation.decline_offer(offer_id=offer.pk, now=at)
                        answered = True
                except BookingError:
                    pass  # answered too late: the offer has expired
        for slot in self.public_slots(at):
            if resident.weekdays and str(slot.start.astimezone(BERLIN).weekday()) not in (
                resident.weekdays
            ):
                continue
            try:
                appointment, token = booking.book(
                    service=self.service,
                    slot_id=slot.pk,
                    person=resident.person,
                    channel=Channel.ONLINE,
                    now=at,
                )
            except BookingError:
                continue
            if self.rng.random() < self.cfg.unverified_rate:
                answered = True  # a hold that lapses
                break  # never opens the mail: the hold lapses, the resident looks again
            appointment = booking.verify(code=appointment.code, token=token, now=at)
            if resident.wish_id is not None:
                wishes.withdraw_wish(wish_id=resident.wish_id, now=at)
            return self.booked(resident, appointment, at)
        self.push(self.next_check(resident, at), "check", resident)
        return None if answered else QUIET  # nothing changed: nothing to follow

    def booked(self, resident, appointment, at):
        resident.gone = True
        resident.appointment_id = appointment.pk
        resident.booked_at = at
        resident.slot_start = appointment.slot.start
        self.maybe_cancel(appointment, at)

    def maybe_cancel(self, appointment, at):
        latest = appointment.slot.start - dt.timedelta(hours=1)
        if latest > at and self.rng.random() < self.cfg.cancel_rate:
            when = at + (latest - at) * self.rng.random()
            self.push(when, "cancel", appointment.pk)

    def on_cancel(self, at, appointment_id):
        booking.cancel(appointment_id=appointment_id, reason=CancellationReason.RESIDENT, now=at)

    def bot_person(self):
        self.bot_identities += 1
        n = self.bot_identities
        return Person(
            surname=_name("Handel", n),
            given_names=_name("Max", n),
            date_of_birth=dt.date(1970, 1, 1) + dt.timedelta(days=n),
            email=f"trader{n}@bot.example.test",
            nationality="DE",
        )

    def on_bot_wish(self, at, _data):
        _wish, token = wishes.register_wish(service=self.service, person=self.bot_person(), now=at)
        wishes.confirm_wish(token=token, now=at)
        self.bot_wish_token = token

    def on_poll(self, at, _data):
        self.polls.discard(at)
        changed = False
        if self.bot_wish_token is not None:  # the bot reads its mail at once
            wish = wishes.find_wish(token=self.bot_wish_token)
            offer = Offer.objects.filter(wish=wish, state=OfferState.OPEN).first()
            if offer is not None:
                appointment, _token = allocation.accept_offer(offer_id=offer.pk, now=at)
                self.bot_appointments.append(appointment.pk)
                self.maybe_cancel(appointment, at)
                changed = True
        for slot in self.public_slots(at):
            for _place in range(slot.free_places):
                try:
                    appointment, token = booking.book(
                        service=self.service,
                        slot_id=slot.pk,
                        person=self.bot_person(),
                        channel=Channel.ONLINE,
                        now=at,
                    )
                except BookingError:
                    break
                appointment = booking.verify(code=appointment.code, token=token, now=at)
                self.bot_appointments.append(appointment.pk)
                self.maybe_cancel(appointment, at)
                changed = True
        if changed:
            self.after(at)

    # --- figures -----------------------------------------------------------------------
    def measure(self):
        result = Result(mode=self.mode, seed=self.cfg.seed)
        slots = Slot.objects.filter(team=self.team, start__gte=START, start__lt=self.end)
        result.places = slots.aggregate(n=Sum("capacity"))["n"] or 0
        result.empty_places = (
            slots.filter(booked__lt=F("capacity")).aggregate(n=Sum(F("capacity") - F("booked")))[
                "n"
            ]
            or 0
        )
        booked = Appointment.objects.filter(service=self.service, booked_at__isnull=False)
        result.bot_places = booked.filter(pk__in=self.bot_appointments).count()
        result.resident_places = booked.exclude(pk__in=self.bot_appointments).count()
        per_person = {}
        for key in booked.exclude(pk__in=self.bot_appointments).values_list(
            "surname_key", flat=True
        ):
            per_person[key] = per_person.get(key, 0) + 1
        result.most_by_one_resident = max(per_person.values(), default=0)
        for klass in CLASSES:
            members = [r for r in self.residents if r.klass == klass]
            served = [r for r in members if r.booked_at is not None]
            result.served[klass] = (len(served), len(members))
            waits = [(r.booked_at - r.arrival).total_seconds() / 86400 for r in served]
            result.median_wait_days[klass] = statistics.median(waits) if waits else None
        urgent = [r for r in self.residents if r.klass == "urgent"]
        in_time = [
            r
            for r in urgent
            if r.slot_start is not None
            and r.slot_start.astimezone(BERLIN).date() <= r.permit_expires_on
        ]
        result.urgent_in_time = (len(in_time), len(urgent))
        offers = Offer.objects.filter(wish__service=self.service)
        result.offers = {state: offers.filter(state=state).count() for state in OfferState}
        # No-shows: a share of the kept appointments of the month (drawn, as nobody comes)
        kept = booked.filter(status=Status.BOOKED, slot__start__lt=self.end)
        for pk in kept.values_list("pk", flat=True):
            rate = (
                self.cfg.bot_unsold_rate if pk in self.bot_appointments else (self.cfg.no_show_rate)
            )
            result.no_shows += self.rng.random() < rate
        return result


def simulate(cfg, mode):
    """Run one mode of the month on the current (empty) database; returns its Result."""
    return Simulation(cfg, mode).run(population(cfg))


def _pct(share):
    return f"{100 * share:.0f} %"


def _days(value):
    return "–" if value is None else f"{value:.1f} d"


def table(results):
    """The comparison as a Markdown table (one column per mode)."""
    labels = {ReleaseMode.FIRST_COME: "first come", ReleaseMode.ALLOCATION: "allocation + waitlist"}
    rows = [("", *(labels[r.mode] for r in results))]
    rows.append(("online places in the month", *(str(r.places) for r in results)))
    rows.append(
        (
            "places the bot won",
            *(
                f"{r.bot_places} of {r.bot_places + r.resident_places} ({_pct(r.bot_share)})"
                for r in results
            ),
        )
    )
    rows.append(("most places of one resident", *(str(r.most_by_one_resident) for r in results)))
    for klass in CLASSES:
        rows.append(
            (
                f"served / median wait: {CLASS_LABELS[klass]}",
                *(
                    f"{r.served[klass][0]}/{r.served[klass][1]}, {_days(r.median_wait_days[klass])}"
                    for r in results
                ),
            )
        )
    rows.append(
        (
            "urgent served before their permit expired",
            *(
                f"{r.urgent_in_time[0]}/{r.urgent_in_time[1]} ({_pct(r.urgent_in_time_share)})"
                for r in results
            ),
        )
    )
    rows.append(
        (
            "offers made / accepted / declined / expired",
            *(
                f"{sum(r.offers.values())} / {r.offers[OfferState.ACCEPTED]} / "
                f"{r.offers[OfferState.DECLINED]} / {r.offers[OfferState.EXPIRED]}"
                for r in results
            ),
        )
    )
    rows.append(
        (
            "places wasted: left empty / no-shows",
            *(f"{r.empty_places} / {r.no_shows}" for r in results),
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main():
    from django.conf import settings
    from django.core.management import call_command

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=Config.residents)
    parser.add_argument("--days", type=int, default=Config.days)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    cfg = Config(residents=args.residents, days=args.days, seed=seed)
    database = settings.DATABASES["default"]
    on_sqlite = database["ENGINE"].endswith("sqlite3")
    if not on_sqlite and not ("bench" in database["NAME"] or "fair" in database["NAME"]):
        sys.exit("The database is flushed first: its name must contain 'bench' or 'fair'.")
    print(f"seed {seed}; {cfg.residents} residents, {cfg.days} days; database {database['NAME']}")
    call_command("migrate", verbosity=0)
    results = []
    try:
        for mode in MODES:
            call_command("flush", interactive=False, verbosity=0)
            results.append(simulate(cfg, mode))
            print(f"  {mode}: simulated in {results[-1].seconds:.1f} s")
    finally:
        if on_sqlite and "_TMP" in globals():
            for path in _TMP.iterdir():
                path.unlink()
            _TMP.rmdir()
    print()
    print(table(results))


if __name__ == "__main__":
    main()
