"""Booking with Redis stopped: a real redis-server is started, the cache and the broker pointed at
it, then it is killed. Booking, the manage pages and the protections keep working (the database
stands in for the cache) and the request never waits for the broker (the outbox sweeper sends)."""

import os
import subprocess
import time

import pytest
import redis
from django.core.cache import cache

from appointments.models import Appointment, OutboxMessage, OutboxStatus, Status
from appointments.notifications import outbox
from tests.appointments.api.helpers import booking_payload, hold_on_the_web, solve, token_from_mail
from tests.conftest import free_port
from tests.factories import PASSWORD, bookable_slot
from wiesbaden_abh.celery import app, ping

pytestmark = [pytest.mark.redis_server, pytest.mark.django_db(transaction=True)]

BOOKINGS = "/api/v1/bookings/"


class RedisServer:
    """A redis-server of our own on a free port, stopped (killed) on demand."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # not under CI's libfaketime (the shifted-clock pass): a real server, a real clock
            env={k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and "FAKETIME" not in k},
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                if client.ping():
                    break
            except redis.RedisError:
                time.sleep(0.05)
        else:  # pragma: no cover - only when redis-server cannot start
            self.stop()
            raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def _reset_celery_connections():
    """Forget the app's broker pool and result backend, so the next publish uses app.conf."""
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    if hasattr(app._local, "backend"):
        del app._local.backend


@pytest.fixture
def stopped_redis(settings):
    """Cache and broker on a real Redis that was up and is then killed; tasks are published
    (not run inline), as in production."""
    server = RedisServer()
    settings.REDIS_URL = server.url
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "wiesbaden_abh.redis_cache.SharedClientRedisCache",
            "LOCATION": server.url,
        },
    }
    saved = {
        key: app.conf[key]
        for key in ("broker_url", "result_backend", "broker_transport_options", "task_always_eager")
    }
    app.conf.update(
        broker_url=server.url,
        result_backend=server.url,
        broker_transport_options={"visibility_timeout": 3600},
        task_always_eager=False,
    )
    _reset_celery_connections()
    # Connections exist (cache, broker, result backend), as in a server that has been running.
    cache.set("warm", 1)
    ping.delay()
    server.stop()
    try:
        yield server
    finally:
        app.conf.update(saved)
        _reset_celery_connections()


@pytest.fixture
def protections_on(settings):
    settings.RATE_LIMITS = True
    settings.BOOKING_CHALLENGE = True
    settings.BOOKING_CHALLENGE_MAX_NUMBER = 2000
    settings.BOOKING_CHALLENGE_HMAC_KEY = "test-hmac-key"


def _book(api, service, slot, n=0, **overrides):
    return api.post(BOOKINGS, booking_payload(service, slot, n, **overrides), format="json")


def test_an_api_booking_with_redis_stopped_is_held_within_a_second(
    api, stopped_redis, protections_on
):
    service, _team, slot = bookable_slot()
    altcha = solve(api.get("/api/v1/challenge/").json())

    started = time.monotonic()
    response = _book(api, service, slot, altcha=altcha)
    elapsed = time.monotonic() - started

    assert response.status_code == 201, response.content
    # The acceptance figure; the only wall-clock assertion (before the fix: ~20 s).
    assert elapsed < 1.0
    message = OutboxMessage.objects.get(appointment__code=response.json()["code"])
    assert message.status == OutboxStatus.UNWRITTEN  # (the worker writes it when it sends it)
    # When the broker is back, the sweeper (a periodic task) delivers what was not enqueued.
    assert outbox.sweep() == {"sent": 1}


def test_with_redis_stopped_a_challenge_solution_is_still_accepted_only_once(
    api, stopped_redis, protections_on
):
    service, _team, slot = bookable_slot(capacity=3)
    altcha = solve(api.get("/api/v1/challenge/").json())

    first = _book(api, service, slot, 1, altcha=altcha)
    replayed = _book(api, service, slot, 2, altcha=altcha)

    assert first.status_code == 201
    assert replayed.status_code == 400 and set(replayed.json()["fields"]) == {"altcha"}


def test_with_redis_stopped_the_hold_limit_per_address_still_counts(api, stopped_redis, settings):
    settings.RATE_LIMITS, settings.BOOKING_CHALLENGE = True, False
    settings.RATE_LIMIT_HOLDS_PER_IP_HOUR = 2
    service, _team, slot = bookable_slot(capacity=5)

    answers = [_book(api, service, slot, n).status_code for n in range(3)]

    assert answers == [201, 201, 429]


def test_with_redis_stopped_the_manage_pages_work(client, api, stopped_redis, protections_on):
    service, _team, slot = bookable_slot()
    response = _book(api, service, slot, altcha=solve(api.get("/api/v1/challenge/").json()))
    code = response.json()["code"]
    token = token_from_mail(code)

    # the link's token moves into the session (a redirect), then the page shows
    verify_page = client.get(f"/de/termin/{code}/bestaetigen/", {"t": token}, follow=True)
    confirmed = client.post(f"/de/termin/{code}/bestaetigen/")
    manage = client.get(f"/de/termin/{code}/")

    assert verify_page.status_code == 200
    assert confirmed.status_code == 302
    assert manage.status_code == 200 and code in manage.content.decode()
    assert Appointment.objects.get(code=code).status == Status.BOOKED


def test_with_redis_stopped_the_web_wizard_holds_a_place(client, stopped_redis, settings):
    settings.RATE_LIMITS, settings.BOOKING_CHALLENGE = True, False
    service, _team, slot = bookable_slot()

    response = hold_on_the_web(client, service, slot)

    assert response.status_code == 302
    assert Appointment.objects.get().status == Status.HELD


def test_with_redis_stopped_healthz_says_degraded_not_down(client, stopped_redis):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "unreachable"}


def test_with_redis_stopped_staff_still_log_in(client, stopped_redis, reception_user):
    response = client.post(
        "/backoffice/login/", {"username": "empfang", "password": PASSWORD}, follow=False
    )

    assert response.status_code == 302 and "/backoffice/login/" not in response["Location"]
