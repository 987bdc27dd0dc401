"""Shared test set-up: markers that skip by environment, the clock, the browser, a real SMTP
sink, an open office, staff users by role and logged-in clients."""

import datetime as dt
import os
import shutil
import socket
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from appointments import catalogue_cache, outage
from appointments.templatetags import frames
from caseworkers.roles import CASEWORKER, RECEPTION, SUPERVISOR
from tests.factories import NOW, PASSWORD, open_office, staff

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# ORM calls from browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = next(
    (
        path
        for path in (
            os.environ.get("CHROMIUM_PATH"),
            shutil.which("chromium"),
            "/usr/bin/chromium",
        )
        if path and os.path.exists(path)
    ),
    None,
)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


BERLIN = ZoneInfo("Europe/Berlin")

# The instant every test starts at unless it says otherwise: an ordinary Tuesday late morning,
# far from a DST change, a holiday or midnight. The clock ticks from there, so workers, caches
# and timeouts behave as usual, but nothing depends on when the suite happens to run.
DEFAULT_NOW = dt.datetime(2026, 11, 10, 10, 30, tzinfo=BERLIN)


def _on_postgresql():
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    skip_redis = pytest.mark.skip(reason="needs Redis (set REDIS_URL=redis://...)")
    skip_browser = pytest.mark.skip(reason="needs Debian's chromium (scripts/ensure-chromium)")
    skip_redis_server = pytest.mark.skip(reason="needs the redis-server binary")
    for item in items:
        if "postgres" in item.keywords and not _on_postgresql():
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)
        if "browser" in item.keywords and CHROMIUM is None:
            item.add_marker(skip_browser)
        if "redis_server" in item.keywords and shutil.which("redis-server") is None:
            item.add_marker(skip_redis_server)


@pytest.fixture(autouse=True)
def clock(request):
    """Move the clock to a known instant for every test; the test can move it on.

    `@pytest.mark.clock("2027-03-28 01:40")` (Berlin time) picks another starting instant,
    `@pytest.mark.clock(..., tick=False)` freezes it. Returns time-machine's traveller
    (`clock.shift(...)`, `clock.move_to(...)`).
    """
    marker = request.node.get_closest_marker("clock")
    start, tick = DEFAULT_NOW, True
    if marker is not None:
        if marker.args:
            start = dt.datetime.fromisoformat(marker.args[0]).replace(tzinfo=BERLIN)
        tick = marker.kwargs.get("tick", True)
    with time_machine.travel(start, tick=tick) as traveller:
        yield traveller


@pytest.fixture
def frozen():
    """The clock stopped at `factories.NOW` (a Monday, 08:00 in Berlin), the instant the invitation
    and office-day data of the factories are dated from; `frozen.shift(...)` moves it on."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def in_english():
    """The English source messages, for assertions on texts (the default language is German)."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server (aiosmtpd) on loopback; Django's SMTP backend sends into it."""
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield controller.handler
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _tasks_run_inline():
    """Tasks run in the test's thread unless a test starts a real worker (`real_worker`)."""
    from wiesbaden_abh.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache (Redis in CI's PostgreSQL pass), and the pinned
    clock never lets their hour pass: every test starts with an empty cache, so no test is
    refused for what earlier ones did (whatever the order). The per-process copies of
    services and rules go too (another test's rows may have had the same ids), and the page
    parts drawn once per language (settings such as the service desk's differ per test)."""
    cache.clear()
    frames.clear()
    catalogue_cache.clear()


@pytest.fixture(autouse=True)
def _no_outage_pause():
    """A test that makes the cache or the broker fail must not pause them for the next one."""
    yield
    outage.CACHE.clear()
    outage.BROKER.clear()


@pytest.fixture
def real_worker(_tasks_run_inline):
    """A real Celery worker (in a thread) on the configured broker: Redis in CI."""
    from celery.contrib.testing.worker import start_worker

    from wiesbaden_abh.celery import app

    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING") as worker:
        yield worker


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Staff users are created in many tests; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def protections_off(settings):
    """As in CI's schema runs: no challenge, no rate limits (tests switch them on to test them)."""
    settings.BOOKING_CHALLENGE = False
    settings.RATE_LIMITS = False
    settings.BOOKING_CHALLENGE_MAX_NUMBER = 2000
    settings.BOOKING_CHALLENGE_HMAC_KEY = "test-hmac-key"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def office(db):
    """One service, teams A–K and L–Z open weekday mornings, slots materialised from now on
    (tests/factories.py `open_office` takes parameters for other shapes)."""
    return open_office()


@pytest.fixture
def reception_user(db):
    return staff(RECEPTION, username="empfang", password=PASSWORD)


@pytest.fixture
def caseworker_user(db):
    return staff(CASEWORKER, username="sachbearbeitung", password=PASSWORD)


@pytest.fixture
def supervisor_user(db):
    return staff(SUPERVISOR, username="teamleitung", password=PASSWORD)


@pytest.fixture
def supervisor_client(client, supervisor_user):
    """The test's `client`, logged in as `supervisor_user`."""
    client.force_login(supervisor_user)
    return client


@pytest.fixture
def login_as(db, client):
    """login_as("reception") → a new user holding that role (none for None), logged in with
    the test's `client`."""

    def log_in(*roles, username=None):
        user = staff(*(role for role in roles if role), username=username)
        client.force_login(user)
        return user

    return log_in


@pytest.fixture
def staff_api(db):
    """staff_api("reception") → (API client logged in by session, user)."""

    def make(*roles):
        user = staff(*roles)
        client = APIClient()
        client.force_login(user)
        return client, user

    return make
