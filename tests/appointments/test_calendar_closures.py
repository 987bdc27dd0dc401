"""Closures in the residents' calendar: a closed office says so (with the reason and where to
turn in an urgent case), never "all taken", and the release hint names an open day."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments.closed_days import closed_days, next_open_release
from appointments.models import Closure, Slot
from tests.factories import ServiceFactory, TeamFactory, route_all, rule_for

pytestmark = pytest.mark.django_db


def berlin(*args):
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def office():
    service = ServiceFactory(booking_window_min_days=1, booking_window_max_days=28)
    team = TeamFactory()
    route_all(service, team)
    for weekday in range(5):
        rule_for(team, [service], weekday=weekday)
    return service, team


def calendar_page(client, service):
    response = client.post(
        f"/de/buchen/{service.slug}/", {"surname": "Yılmaz", "nationality": "TR"}
    )
    assert response.status_code == 302
    return client.get(f"/de/buchen/{service.slug}/zeit/").content.decode()


@pytest.mark.clock("2026-11-30 10:00", tick=False)
def test_a_closed_office_says_closed_with_the_reason_not_all_taken(client, office):
    service, _team = office
    Closure.objects.create(
        team=None, start=berlin(2026, 12, 1), end=berlin(2027, 1, 11), reason="Umzug"
    )
    page = calendar_page(client, service)
    assert "All times are taken" not in page and "Alle Zeiten sind" not in page
    assert "Umzug" in page
    assert "+49 611 31-0" in page  # the service desk for urgent cases
    # Release on 1 Dec opens 29 Dec (closed): the hint names 14 Dec, which opens Mon 11 Jan.
    assert "11. Januar 2027" in page and "14. Dezember 2026" in page
    assert "29. Dezember 2026" not in page


@pytest.mark.clock("2026-11-30 10:00", tick=False)
def test_a_closed_day_among_free_days_is_listed_with_its_reason(client, office):
    service, team = office
    for day in (2, 3, 4):
        start = berlin(2026, 12, day, 9, 0)
        Slot.objects.create(
            team=team,
            rule=team.opening_rules.get(weekday=start.weekday()),
            start=start,
            end=start + dt.timedelta(minutes=20),
            capacity=2,
        )
    Closure.objects.create(
        team=team,
        start=berlin(2026, 12, 3, 0, 0),
        end=berlin(2026, 12, 4, 0, 0),
        reason="Personalversammlung",
    )
    Slot.objects.filter(start__date=dt.date(2026, 12, 3)).update(closed=True)
    page = calendar_page(client, service)
    assert "3. Dezember 2026" in page and "Personalversammlung" in page
    assert "Heiligabend" in page  # an extra closed day inside the window


@pytest.mark.clock("2026-11-26 08:00", tick=False)
def test_the_release_hint_skips_a_holiday_and_the_weekend(office):
    service, team = office
    moment, day = next_open_release(service, team=team.pk)
    # The release of 27 Nov opens Christmas Day; 28 Dec (Monday) is opened on 30 Nov.
    assert day == dt.date(2026, 12, 28)
    assert moment == berlin(2026, 11, 30, 7, 0)


@pytest.mark.clock("2026-11-30 10:00", tick=False)
def test_a_closure_of_part_of_the_day_does_not_close_the_day(office):
    service, team = office
    Closure.objects.create(
        team=team,
        start=berlin(2026, 12, 2, 8, 0),
        end=berlin(2026, 12, 2, 10, 0),
        reason="Teambesprechung",
    )
    other = TeamFactory()
    Closure.objects.create(
        team=other, start=berlin(2026, 12, 3), end=berlin(2026, 12, 4), reason="Fremdes Team"
    )
    closed, all_closed = closed_days(
        service=service, team=team.pk, date_from=dt.date(2026, 12, 1), date_to=dt.date(2026, 12, 4)
    )
    assert closed == [] and all_closed is False
