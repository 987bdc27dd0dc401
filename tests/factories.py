"""Shared factories (factory-boy) and builders: staff by role, services, teams, opening rules,
slots, an open office, appointments booked through the domain, invitation files."""

import datetime as dt
from dataclasses import dataclass

import factory
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from appointments import booking
from appointments.invitations import csv_import
from appointments.models import (
    Appointment,
    Channel,
    Contingent,
    Counter,
    OpeningRule,
    ResponsibilityRule,
    Service,
    Slot,
    Status,
    Team,
)
from appointments.people import Person
from appointments.scheduling import generate_slots
from caseworkers.roles import ALL_ROLES

# The password of staff members who log in through the form (browser tests, the lockout).
PASSWORD = "sicheres-passwort-123"


class StaffFactory(factory.django.DjangoModelFactory):
    """A staff member; `roles` are Django groups (caseworkers/roles.py)."""

    class Meta:
        model = settings.AUTH_USER_MODEL
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        # Only when asked: tests that log in with force_login need none.
        if extracted:
            user.set_password(extracted)
            user.save(update_fields=["password"])

    @factory.post_generation
    def roles(user, create, extracted, **kwargs):
        for role in extracted or ():
            assert role in ALL_ROLES, role
            # get_or_create: transactional tests flush the groups the migration made.
            user.groups.add(Group.objects.get_or_create(name=role)[0])


def staff(*roles, username=None, password=None):
    """staff("reception", …) → a user holding those roles; a password only when given."""
    names = {"username": username} if username else {}
    return StaffFactory(roles=roles, password=password, **names)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"service-{n}")
    name = factory.Sequence(lambda n: f"Anliegen {n}")
    name_translations = factory.LazyAttribute(lambda o: {"en": f"Concern {o.slug}"})
    documents = factory.LazyFunction(lambda: [{"de": "Reisepass", "en": "Passport"}])
    duration_minutes = 20
    booking_window_min_days = 1
    booking_window_max_days = 28


PREFIX_LETTERS = "ACDEFGHJKLMNPQRSTUVWXYZB"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    # Two letters (the column holds two): unique for 576 teams, never longer on PostgreSQL.
    waiting_prefix = factory.Sequence(
        lambda n: PREFIX_LETTERS[n % 24] + PREFIX_LETTERS[n // 24 % 24]
    )


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Slot

    team = factory.SubFactory(TeamFactory)
    start = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(minutes=20))
    contingent = Contingent.ONLINE
    capacity = 3
    booked = 0


def route_all(service, team):
    """Make `team` responsible for every surname for `service`."""
    return ResponsibilityRule.objects.create(
        service=service, team=team, letter_from="A", letter_to="Z"
    )


def rule_for(
    team,
    services,
    *,
    weekday=0,
    start="08:00",
    end="12:00",
    slot_minutes=20,
    capacity=3,
    online_capacity=2,
    valid_from=None,
    valid_until=None,
):
    rule = OpeningRule.objects.create(
        team=team,
        weekday=weekday,
        start_time=start,
        end_time=end,
        slot_minutes=slot_minutes,
        capacity=capacity,
        online_capacity=online_capacity,
        valid_from=valid_from or dt.date(2020, 1, 1),
        valid_until=valid_until,
    )
    rule.services.set(services)
    return rule


def bookable_slot(
    *,
    service=None,
    team=None,
    capacity=3,
    contingent=Contingent.ONLINE,
    days_ahead=3,
    hour=10,
    start=None,
):
    """A slot of an opening rule that offers `service`, routed to `team` for all surnames;
    it starts at `hour` o'clock `days_ahead` days from today, or at the aware `start`."""
    service = service or ServiceFactory()
    team = team or TeamFactory()
    if not ResponsibilityRule.objects.filter(service=service).exists():
        route_all(service, team)
    if start is None:
        start_day = timezone.localdate() + dt.timedelta(days=days_ahead)
        start = timezone.make_aware(dt.datetime.combine(start_day, dt.time(hour, 0)))
    rule = rule_for(
        team,
        [service],
        weekday=timezone.localdate(start).weekday(),
        capacity=capacity,
        online_capacity=capacity if contingent == Contingent.ONLINE else 0,
    )
    slot = Slot.objects.create(
        team=team,
        rule=rule,
        start=start,
        end=start + dt.timedelta(minutes=20),
        contingent=contingent,
        capacity=capacity,
    )
    return service, team, slot


def person(n=0, **overrides):
    values = {
        "surname": f"Muster{n}",
        "given_names": "Erika",
        "date_of_birth": dt.date(1990, 1, 1),
        "email": f"erika{n}@example.test",
        "nationality": "TR",
        "language": "de",
    }
    values.update(overrides)
    return Person(**values)


def appointment(*, service, slot, n=0, channel=Channel.STAFF, status=Status.BOOKED, now=None):
    """An appointment booked through the domain (never a bare row): `booking.book`, then for an
    online booking the e-mail link (`booking.verify`) unless `status` asks for it held."""
    made, token = booking.book(
        service=service, slot_id=slot.pk, person=person(n), channel=channel, now=now
    )
    if made.status == Status.HELD and status == Status.BOOKED:
        made = booking.verify(code=made.code, token=token, now=now)
    assert made.status == status, (made.status, status)
    return made


# --- An open office -----------------------------------------------------------------------

# Monday 2 March 2026, 08:00 in Wiesbaden: the invitation tests' day.
NOW = timezone.make_aware(dt.datetime(2026, 3, 2, 8, 0))
TODAY = NOW.date()


@dataclass
class Office:
    service: object
    teams: list
    counters: list

    @property
    def team(self):
        return self.teams[0]

    @property
    def team_ak(self):
        return self.teams[0]

    @property
    def team_lz(self):
        return self.teams[-1]


def open_office(
    *,
    split=("K",),
    internal=2,
    online=1,
    days=70,
    now=None,
    weekdays=range(5),
    start="08:00",
    end="10:00",
    slot_minutes=30,
    service=None,
    counters=(),
):
    """One service (by default the extension of a residence permit) and a team per surname
    range (by default A–K and L–Z: `split` holds the last letter of each range but the last),
    each open `start`–`end` on `weekdays` in `slot_minutes` slots with `internal` + `online`
    places; slots materialised for `days`; `counters` numbered on the first team."""
    service = service or ServiceFactory(
        slug="verlaengerung",
        name="Verlängerung der Aufenthaltserlaubnis",
        name_translations={"en": "Extension of a residence permit"},
        documents=[{"de": "Reisepass", "en": "Valid passport"}],
    )
    bounds = ["A", *(chr(ord(last) + 1) for last in split)]
    lasts = [*split, "Z"]
    teams = []
    for first, last in zip(bounds, lasts, strict=True):
        team = TeamFactory(name=f"{first}–{last}")
        ResponsibilityRule.objects.create(
            service=service, team=team, letter_from=first, letter_to=last
        )
        for weekday in weekdays:
            rule_for(
                team,
                [service],
                weekday=weekday,
                start=start,
                end=end,
                slot_minutes=slot_minutes,
                capacity=internal + online,
                online_capacity=online,
            )
        teams.append(team)
    generate_slots(days=days, now=now or timezone.now())
    counters = [Counter.objects.create(team=teams[0], number=number) for number in counters]
    return Office(service, teams, counters)


# --- Invitation files -----------------------------------------------------------------------

# Expiry 8 weeks ahead: the default window (6 to 4 weeks before) is 16–30 March.
EXPIRY = TODAY + dt.timedelta(weeks=8)
WINDOW = (EXPIRY - dt.timedelta(weeks=6), EXPIRY - dt.timedelta(weeks=4))

HEADER = [
    "Aktenzeichen",
    "Nachname",
    "Vorname",
    "Geburtsdatum",
    "Staatsangehörigkeit",
    "E-Mail",
    "Anschrift",
    "Sprache",
    "Aufenthaltstitel",
    "Ablaufdatum",
    "Anliegen",
    "Anrede",
]


def row(n, **overrides):
    values = {
        "Aktenzeichen": f"AZ-{n:05d}",
        "Nachname": "Aydin" if n % 2 else "Lewandowski",
        "Vorname": "Elif",
        "Geburtsdatum": "14.05.1988",
        "Staatsangehörigkeit": "TR",
        "E-Mail": f"person{n}@example.test",
        "Anschrift": "Musterstraße 1|65183 Wiesbaden",
        "Sprache": "de",
        "Aufenthaltstitel": "§ 16b AufenthG",
        "Ablaufdatum": EXPIRY.strftime("%d.%m.%Y"),
        "Anliegen": "verlaengerung",
        "Anrede": "",
    }
    values.update(overrides)
    return values


def csv_bytes(rows, *, delimiter=";", encoding="utf-8", header=HEADER):
    def cell(value):
        value = str(value)
        if delimiter in value or '"' in value:
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [delimiter.join(header)]
    lines += [delimiter.join(cell(r.get(column, "")) for column in header) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def imported_batch(count, *, now=NOW, **overrides):
    report = csv_import.check(
        csv_bytes([row(n, **overrides) for n in range(1, count + 1)]), now=now
    )
    assert not report.invalid, [(r.number, r.errors) for r in report.invalid]
    return csv_import.import_checked(report=report, source_name="test.csv", now=now)


def desk(team, number="1"):
    """An active counter of the team: every call needs one."""
    counter, _created = Counter.objects.get_or_create(
        team=team, number=number, defaults={"active": True}
    )
    return counter


def desk_of(appointment_id, number="1"):
    """A counter of the team whose queue the appointment waits in."""
    return desk(Appointment.objects.get(pk=appointment_id).queue_team, number)
