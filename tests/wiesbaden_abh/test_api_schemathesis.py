"""Schemathesis over the whole public and staff API, from the schema alone.

Every operation of /api/schema/ is called with the schema's examples and with generated
input (bounded, derandomized, in-process over WSGI: nothing leaves the machine), as a staff
member holding every role, or as a display device. Nothing may answer 500, and every answer
must match the schema: its status code, content type and body. The booking protections are
off (BOOKING_CHALLENGE/RATE_LIMITS as in CI's benchmarks) so generated bookings reach the
domain.
"""

import datetime as dt
import json
import os
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import schemathesis
import time_machine
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from appointments import booking, queue
from appointments.models import Contingent, Counter
from caseworkers.models import ApiToken, DeviceToken
from caseworkers.roles import ALL_ROLES
from tests.factories import ServiceFactory, TeamFactory, bookable_slot, person, route_all, staff

# As every API test: no challenge, no rate limits (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("protections_off")

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Bounded for CI: the schema's examples and MAX_EXAMPLES generated cases per operation, and
# schemathesis' coverage phase (boundary and invalid values of every field, systematically)
# for the public operations, which anyone on the internet can call. API_FUZZ_DEEP=1 runs
# the coverage phase everywhere and five times the examples (a few minutes).
DEEP = os.environ.get("API_FUZZ_DEEP") == "1"
MAX_EXAMPLES = 60 if DEEP else 12
CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {"coverage": {"enabled": DEEP}},
        "operations": [
            {
                "include-path-regex": r"^/api/v1/(services|bookings|challenge)/",
                "phases": {"coverage": {"enabled": True}},
            }
        ],
    }
)
# A Monday morning (no public holiday): today's queue has visits, later days free times.
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def _schema():
    spec = SchemaGenerator().get_schema(request=None, public=True)
    # Lazy translated texts become plain strings, as the served schema has them.
    return json.loads(json.dumps(spec, cls=DjangoJSONEncoder))


schema = schemathesis.openapi.from_dict(_schema(), config=CONFIG)
APP = WSGIHandler()


@pytest.fixture
def in_process_requests():
    """As Django's test client does: a request must not close the test's database connection
    (it would on PostgreSQL at the end of each request, and with it the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(db, settings, in_process_requests):
    """A Monday morning with a service named as in the examples, free times, a queue with a
    visit in every state, a held online booking, a staff token and a display device."""
    settings.BOOKING_CHALLENGE = False
    settings.RATE_LIMITS = False
    # Setting the world up needs no e-mails (it is built once per operation: keep it quick).
    quiet = mock.patch.multiple(
        "appointments.notifications",
        appointment_created=mock.DEFAULT,
        appointment_booked=mock.DEFAULT,
    )
    with time_machine.travel(NOW, tick=True), quiet:
        pickup = ServiceFactory(slug="pickup")
        service = ServiceFactory(
            slug="aufenthaltserlaubnis-verlaengerung", follow_up_service=pickup
        )
        service, team, today = bookable_slot(service=service, days_ahead=0, hour=10, capacity=50)
        _, _, later = bookable_slot(service=service, team=team, days_ahead=3, capacity=50)
        route_all(pickup, team)
        bookable_slot(service=pickup, team=team, days_ahead=10, contingent=Contingent.INTERNAL)
        TeamFactory()  # somewhere to forward to
        counter = Counter.objects.create(team=team, number="12")
        visits = {}
        for n, state in enumerate(("checked_in", "called", "in_service", "completed")):
            visit = booking.book(
                service=service, slot_id=today.pk, person=person(n), channel="staff"
            )[0]
            queue.check_in(appointment_id=visit.pk)
            if state != "checked_in":
                queue.call(appointment_id=visit.pk, counter=counter)
            if state in ("in_service", "completed"):
                queue.start_service(appointment_id=visit.pk)
            if state == "completed":
                queue.finish(appointment_id=visit.pk, outcome="application_filed")
            visits[state] = visit.pk
        held, token = booking.book(
            service=service, slot_id=later.pk, person=person(9), channel="online"
        )
        fuzzer = staff(*ALL_ROLES, username="fuzzer")
        device, device_token = DeviceToken.issue(name="Display", teams=[team])
        world = {
            "staff": f"Token {ApiToken.issue(user=fuzzer)[1]}",
            "device": f"Device {device_token}",
            "visits": visits,
            "team_id": team.pk,
            "device_id": device.pk,
            "slug": service.slug,
            "code": held.code,
            "token": token,
        }
    yield world


# Which visit each staff move is tried on when a generated id is swapped for a real one.
STATE_FOR = {
    "call": "checked_in",
    "finish": "in_service",
    "follow-up": "completed",
    "follow-up-slots": "completed",
}


def _aim_at_real_objects(case, world, headers):
    """Half of the generated ids become ids that exist, so answers beyond 404 are checked."""
    params = case.path_parameters or {}

    def even(value):
        return isinstance(value, int | str) and len(str(value)) % 2 == 0

    if even(params.get("appointment_id")):
        action = case.path.rstrip("/").rsplit("/", 1)[-1]
        params["appointment_id"] = world["visits"][STATE_FOR.get(action, "called")]
    for name in ("team_id", "device_id", "slug"):
        if even(params.get(name)):
            params[name] = world[name]
    if even(params.get("code")):
        params["code"] = world["code"]
        headers["X-Booking-Token"] = world["token"]


@schema.parametrize()
@hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_request_as_its_schema_says(case, api_world):
    headers = {"Accept-Language": "en"}
    if case.path.startswith("/api/v1/staff/"):
        headers["Authorization"] = api_world["staff"]
    elif case.path == "/api/v1/display/":
        headers["Authorization"] = api_world["device"]
    _aim_at_real_objects(case, api_world, headers)
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=True):
        case.call_and_validate(app=APP, headers=headers, checks=CHECKS)
