"""The protections and background work while the cache or the broker fails, without a Redis
server: the cache is Django's Redis backend on a closed port, the broker's publish raises."""

import datetime as dt
import logging

import pytest
from django.core.cache.backends.redis import RedisCache
from kombu.exceptions import OperationalError

from appointments import background, outage, protection, tasks
from appointments.models import FallbackCounter, OutboxMessage, OutboxStatus
from appointments.notifications import outbox
from tests.appointments.api.helpers import booking_payload, solve
from tests.appointments.test_races import race
from tests.conftest import free_port
from tests.factories import bookable_slot

pytestmark = pytest.mark.django_db

EMAIL = "erika.mustermann@example.test"


@pytest.fixture
def cache_down(settings):
    """The default cache is Redis on a port where nobody listens (connection refused)."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "wiesbaden_abh.redis_cache.SharedClientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        },
    }
    settings.RATE_LIMITS = True
    settings.BOOKING_CHALLENGE = True
    settings.BOOKING_CHALLENGE_MAX_NUMBER = 2000
    settings.BOOKING_CHALLENGE_HMAC_KEY = "test-hmac-key"


@pytest.fixture
def broker_down(monkeypatch):
    """Every publish fails as kombu fails when Redis refuses; returns the list of attempts."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_messages, "delay", refuse)
    monkeypatch.setattr(tasks.deliver_due, "delay", refuse)  # coalesced delivery (with Redis)
    return attempts


def test_with_the_cache_down_a_rate_limit_counts_in_the_database(cache_down):
    outcomes = [protection.allow("hold-email", EMAIL, limit=2, window_seconds=60) for _ in "abc"]

    assert outcomes == [True, True, False]
    counter = FallbackCounter.objects.get()
    assert counter.count == 3 and EMAIL not in counter.key  # a hash, no personal data


def test_a_fallback_count_starts_again_when_its_window_has_passed(cache_down, clock):
    assert protection.allow("links-ip", "192.0.2.7", limit=1, window_seconds=60)
    assert not protection.allow("links-ip", "192.0.2.7", limit=1, window_seconds=60)

    clock.shift(dt.timedelta(seconds=61))

    assert protection.allow("links-ip", "192.0.2.7", limit=1, window_seconds=60)
    assert FallbackCounter.objects.get().count == 1


def test_with_the_cache_down_a_challenge_solution_is_accepted_once(cache_down):
    payload = solve(protection.new_challenge())

    assert protection.verify_challenge(payload) is True
    assert protection.verify_challenge(payload) is False


def test_a_used_solution_can_be_marked_again_once_it_has_expired(cache_down, clock):
    assert outage.add(key="booking-challenge:used:abc", timeout=60)
    clock.shift(dt.timedelta(seconds=61))
    assert outage.add(key="booking-challenge:used:abc", timeout=60)
    assert not outage.add(key="booking-challenge:used:abc", timeout=60)


def test_an_outage_logs_one_warning_per_pause_and_no_personal_data(cache_down, caplog):
    caplog.set_level(logging.WARNING, logger="appointments.outage")

    for _ in range(5):
        protection.allow("hold-email", EMAIL, limit=10, window_seconds=60)

    records = [r for r in caplog.records if r.name == "appointments.outage"]
    assert len(records) == 1
    assert "cache unavailable (ConnectionError)" in records[0].getMessage()
    assert "erika" not in caplog.text and "127.0.0.1" not in caplog.text


def test_while_paused_the_cache_is_left_alone_and_afterwards_tried_again(cache_down, monkeypatch):
    calls = []
    original_add = RedisCache.add

    def counting_add(self, *args, **kwargs):
        calls.append(args[0])
        return original_add(self, *args, **kwargs)

    monkeypatch.setattr(RedisCache, "add", counting_add)
    protection.allow("hold-ip", "192.0.2.7", limit=10, window_seconds=60)
    protection.allow("hold-ip", "192.0.2.7", limit=10, window_seconds=60)
    assert len(calls) == 1  # the second attempt went straight to the database

    outage.CACHE.clear()  # the pause has ended
    protection.allow("hold-ip", "192.0.2.7", limit=10, window_seconds=60)
    assert len(calls) == 2
    assert FallbackCounter.objects.get().count == 3


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_bookings_publish_once_per_pause_and_the_sweeper_sends(
    api, broker_down, settings
):
    settings.RATE_LIMITS = settings.BOOKING_CHALLENGE = False
    service, _team, slot = bookable_slot(capacity=3)

    for n in range(3):
        response = api.post("/api/v1/bookings/", booking_payload(service, slot, n), format="json")
        assert response.status_code == 201

    assert len(broker_down) == 1  # the two later bookings did not wait for the broker
    # waiting for the sweeper, to be written by the worker that sends them
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.UNWRITTEN}
    assert outbox.sweep() == {"sent": 3}


def test_after_the_pause_publishing_is_tried_again(broker_down):
    assert background.enqueue(outbox.DELIVER_TASK, 1) is False
    assert background.enqueue(outbox.DELIVER_TASK, 2) is False
    outage.BROKER.clear()
    assert background.enqueue(outbox.DELIVER_TASK, 3) is False

    assert broker_down == [(1,), (3,)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_fallback_counts_lose_no_attempt_and_mark_a_solution_once():
    counts = race(lambda i: outage.incr(key="ratelimit:hold-ip:abc", timeout=60), count=20)
    marks = race(lambda i: outage.add(key="booking-challenge:used:abc", timeout=60), count=20)

    assert sorted(counts) == list(range(1, 21)), counts
    assert marks.count(True) == 1 and marks.count(False) == 19, marks


def test_a_solution_used_while_the_cache_was_down_stays_used_when_it_is_back(cache_down, settings):
    settings.OUTAGE_PAUSE_SECONDS = 0  # the cache is tried again at once
    payload = solve(protection.new_challenge())
    assert protection.verify_challenge(payload) is True  # in the database, Redis refused

    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }

    assert protection.verify_challenge(payload) is False
    assert protection.verify_challenge(solve(protection.new_challenge())) is True
