"""Shared factories (factory-boy) and small builders for the domain."""

import datetime as dt

import factory
from django.utils import timezone

from appointments.booking import Person
from appointments.models import (
    Contingent,
    OpeningRule,
    ResponsibilityRule,
    Service,
    Slot,
    Team,
)


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
