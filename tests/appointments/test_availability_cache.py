"""The availability cache: answers keyed with the team's availability version, which the
database bumps in the transaction of every write that takes or frees a place (or changes the
slots, rules and closures), so the next answer after a change never shows the old state; a
fixed number of queries for the API and the calendar's day and time pages."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from appointments import availability_cache, booking, catalogue_cache, metrics
from appointments.models import (
    AvailabilityVersion,
    CancellationReason,
    Closure,
    Contingent,
    ResponsibilityRule,
    Slot,
)
from tests.factories import TeamFactory, bookable_slot, person

pytestmark = pytest.mark.django_db


def api_ids(api, service):
    return [
        row["id"] for row in api.get(f"/api/v1/services/{service.slug}/slots/").json()["results"]
    ]


def version(team):
    return availability_cache.versions([team.pk])[team.pk]


def test_a_booking_makes_its_place_disappear_from_the_next_answer(api):
    service, _team, slot = bookable_slot(capacity=1)
    assert api_ids(api, service) == [slot.pk]
    assert api_ids(api, service) == [slot.pk]  # from the cache now
    booking.book(service=service, slot_id=slot.pk, person=person(1), channel="online")
    assert api_ids(api, service) == []


def test_a_booking_through_the_api_disappears_from_the_wizard_calendar(api, client, settings):
    settings.BOOKING_CHALLENGE = False
    service, _team, slot = bookable_slot(capacity=1)
    day = timezone.localdate(slot.start)
    client.post(f"/de/buchen/{service.slug}/", {"surname": "Kaya", "nationality": "TR"})
    page = f"/de/buchen/{service.slug}/zeit/?day={day}"
    assert f'value="{slot.pk}"' in client.get(page).content.decode()
    assert f'value="{slot.pk}"' in client.get(page).content.decode()
    body = {
        "service": service.slug,
        "slot": slot.pk,
        "surname": "Muster",
        "given_names": "Erika",
        "date_of_birth": "1990-01-01",
        "email": "erika@example.test",
    }
    assert api.post("/api/v1/bookings/", body, format="json").status_code == 201
    content = client.get(page).content.decode()
    assert f'value="{slot.pk}"' not in content


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_committed_bookings_and_releases_change_the_next_answer_on_postgresql(api):
    service, _team, slot = bookable_slot(capacity=1)
    assert api_ids(api, service) == [slot.pk]
    made, _token = booking.book(service=service, slot_id=slot.pk, person=person(1), channel="staff")
    assert api_ids(api, service) == []
    booking.cancel(appointment_id=made.pk, reason=CancellationReason.CLOSURE)  # freed at once
    assert api_ids(api, service) == [slot.pk]


def test_every_write_that_changes_free_times_bumps_the_version(settings):
    settings.CANCELLATION_RELEASE_DELAY_MINUTES = 5
    service, team, slot = bookable_slot(capacity=2)
    other = TeamFactory()
    seen = [version(team)]
    others = [version(other)]
    now = timezone.now()

    def bumped():
        seen.append(version(team))
        return seen[-1] > seen[-2]

    held, _token = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="online"
    )
    assert bumped()  # a hold takes a place
    assert booking.expire_holds(now=held.hold_expires_at) == 1
    assert bumped()  # its expiry frees it
    made, _token = booking.book(service=service, slot_id=slot.pk, person=person(2), channel="staff")
    assert bumped()
    booking.cancel(appointment_id=made.pk, reason=CancellationReason.RESIDENT, now=now)
    seen.append(version(team))  # freed only after the anti-trading delay
    assert booking.release_delayed_places(now=now + dt.timedelta(minutes=6)) == 1
    assert bumped()
    Slot.objects.filter(pk=slot.pk).update(capacity=3)
    assert bumped()  # a capacity change
    Slot.objects.create(
        team=team, rule=slot.rule, start=slot.end, end=slot.end + dt.timedelta(minutes=20),
        contingent=Contingent.ONLINE, capacity=1,
    )  # fmt: skip
    assert bumped()  # a new slot
    slot.rule.services.remove(service)
    assert bumped()  # the rule no longer offers the service
    assert version(other) == others[0]  # another team's answers stay cached
    Closure.objects.create(team=None, start=now, end=now + dt.timedelta(days=1), reason="Fest")
    assert bumped() and version(other) > others[0]  # an office closure concerns every team


def test_the_api_answer_takes_one_query_when_nothing_changed(api, django_assert_num_queries):
    service, _team, _slot = bookable_slot()
    url = f"/api/v1/services/{service.slug}/slots/?surname=Kaya"
    first = api.get(url)
    with django_assert_num_queries(1):  # the team's availability version
        again = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_hits_and_misses_are_counted():
    service, team, slot = bookable_slot()
    counter = metrics.AVAILABILITY_CACHE
    hits, misses = (counter.labels(result=r)._value.get() for r in ("hit", "miss"))
    kwargs = {"service": service, "teams": [team]}
    window = {"date_from": timezone.localdate(), "date_to": timezone.localdate() + dt.timedelta(9)}
    assert [r["id"] for r in availability_cache.slot_rows(**kwargs, **window)] == [slot.pk]
    assert [r["id"] for r in availability_cache.slot_rows(**kwargs, **window)] == [slot.pk]
    assert counter.labels(result="miss")._value.get() == misses + 1
    assert counter.labels(result="hit")._value.get() == hits + 1


def test_a_slot_that_has_begun_drops_out_of_a_cached_answer(time_machine):
    service, team, slot = bookable_slot(days_ahead=0, hour=23)
    kwargs = {"service": service, "teams": [team]}
    service.booking_window_min_days = 0
    day = timezone.localdate()
    assert [r["id"] for r in availability_cache.slot_rows(**kwargs, date_from=day, date_to=day)]
    time_machine.move_to(slot.start + dt.timedelta(seconds=1))
    assert availability_cache.slot_rows(**kwargs, date_from=day, date_to=day) == []


def test_the_day_and_time_pages_take_a_fixed_number_of_queries(
    client, settings, django_assert_num_queries
):
    settings.BOOKING_CHALLENGE = False
    service, team, slot = bookable_slot(capacity=2)
    for hour in range(11, 16):
        bookable_slot(service=service, team=team, hour=hour)
    later = bookable_slot(service=service, team=team, days_ahead=4)[2]
    client.post(f"/de/buchen/{service.slug}/", {"surname": "Kaya", "nationality": "TR"})
    day_page = f"/de/buchen/{service.slug}/zeit/"
    time_page = f"{day_page}?day={timezone.localdate(slot.start)}"
    # cold: the session, the service, the version (made, read again), the days with their
    # counts, the rules and closures of the window and of the next release
    with django_assert_num_queries(9):
        assert client.get(day_page).status_code == 200
    with django_assert_num_queries(2):  # warm: the session, the version (the service is kept)
        days = client.get(day_page).content.decode()
    assert f"?day={timezone.localdate(later.start)}" in days and 'name="slot"' not in days
    with django_assert_num_queries(3):  # warm window, cold day: its free times only
        times = client.get(time_page).content.decode()
    with django_assert_num_queries(2):
        assert times_of(client.get(time_page)) == times_of(times)
    assert len(times_of(times)) == 6 and later.pk not in times_of(times)
    booking.book(service=service, slot_id=slot.pk, person=person(1), channel="staff")
    with django_assert_num_queries(8):  # after a booking: the window and the day again
        client.get(time_page)


def times_of(page):
    content = page if isinstance(page, str) else page.content.decode()
    return [int(pk) for pk in re.findall(r'name="slot" value="(\d+)"', content)]


def test_a_changed_responsibility_rule_routes_the_next_request(api):
    service, team, slot = bookable_slot()
    url = f"/api/v1/services/{service.slug}/slots/?surname=Kaya"
    assert api_ids_of(api, url) == [slot.pk]
    elsewhere = TeamFactory()
    ResponsibilityRule.objects.filter(service=service).update(team=elsewhere)
    catalogue_cache.invalidate()  # a queryset update sends no signal; the admin's save does
    assert api_ids_of(api, url) == []
    rule = ResponsibilityRule.objects.get(service=service)
    rule.team = team
    rule.save()
    assert api_ids_of(api, url) == [slot.pk]
    service.active = False
    service.save()
    assert api.get(url).status_code == 404


def api_ids_of(api, url):
    return [row["id"] for row in api.get(url).json()["results"]]


def test_the_version_row_of_a_team_is_made_once():
    team = TeamFactory()
    assert not AvailabilityVersion.objects.filter(team=team).exists()
    assert availability_cache.versions([team.pk, team.pk]) == {team.pk: 0}
    assert AvailabilityVersion.objects.filter(team=team).count() == 1


def test_free_times_come_from_the_database_while_the_cache_is_down(api):
    from unittest import mock

    import redis
    from django.core.cache import cache

    service, _team, slot = bookable_slot(capacity=1)
    down = mock.patch.multiple(
        cache,
        get=mock.Mock(side_effect=redis.ConnectionError()),
        get_many=mock.Mock(side_effect=redis.ConnectionError()),
        set=mock.Mock(side_effect=redis.ConnectionError()),
        add=mock.Mock(side_effect=redis.ConnectionError()),
    )
    with down:
        assert api_ids(api, service) == [slot.pk]
        booking.book(service=service, slot_id=slot.pk, person=person(1), channel="staff")
        assert api_ids(api, service) == []


def test_days_withheld_for_the_waitlist_stay_out_of_a_cached_answer(clock):
    from appointments.models import DayRelease
    from appointments.waitlist import release_modes
    from tests.appointments.waitlist.test_allocation import waiting_wish
    from tests.appointments.waitlist.test_release_modes import (
        RELEASED_DAY,
        allocation_service,
        at,
    )

    service, team, slot = allocation_service(capacity=2)
    waiting_wish(service, 1)
    clock.move_to(at(dt.date(2026, 11, 11), 7, 5))
    release_modes.release_days(now=timezone.now())
    window = {"date_from": RELEASED_DAY, "date_to": RELEASED_DAY}

    def ids(now):
        rows = availability_cache.slot_rows(service=service, teams=[team], now=now, **window)
        return [row["id"] for row in rows]

    assert ids(timezone.now()) == []  # offered to the waitlist first
    assert ids(timezone.now()) == []
    later = DayRelease.objects.get().public_at + dt.timedelta(minutes=1)
    assert ids(later) == [slot.pk]  # public now, though no slot changed
