"""Fuzz every backoffice page (issue 14): each URL pattern of caseworkers/urls.py, with a
supervisor and a superuser logged in, gets hostile values in its path ids, in every query
parameter and in every form field it reads, by GET and by POST. No answer may be a 5xx.

The fields come from the page itself (the names of its inputs, with the forms' prefixes) and
from the view's source (`request.GET.get("…")`, `request.POST.get("…")`), so a new field is
fuzzed without touching this file. Table-driven and deterministic, plus a small derandomised
Hypothesis run over free text: about 20 s on SQLite.
"""

import datetime as dt
import inspect
import re

import pytest
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appointments.feedback import submit_feedback
from appointments.models import Closure, Counter, OutboxMessage
from appointments.protection import create_partner_key
from caseworkers import urls as backoffice_urls
from caseworkers.models import DeviceToken
from tests.appointments.test_queue import booked_today
from tests.factories import ServiceFactory, imported_batch, rule_for, staff

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    "9999-12-31",
    "0000-00-00",
    "0001-01-01",
    "2026-02-30",
    "9999-12-31T23:59",
    "-1",
    "99999999999999999999",
    "1e309",
    "x" * 3000,
    "\x00",
    "a\x00b",
    "Ä🙂\u202e\ufeff",
]
# Each field alone also gets the values that broke pages before (others stay unset).
WORST = ["9999-12-31", "99999999999999999999", "x" * 3000, "a\x00b"]
HOSTILE_IDS = ["0", "2147483648", "99999999999999999999"]
SKIPPED = {"logout"}  # would end the session the fuzzer runs in
NAME = re.compile(r'name="([^"]+)"')
READS = re.compile(r'request\.(?:GET|POST)(?:\.get|\.getlist)?[\(\[]\s*"([^"]+)"')


def _patterns(patterns=None, prefix="/backoffice/", namespace=""):
    for entry in backoffice_urls.urlpatterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, route, f"{namespace}{entry.namespace}:")
        elif isinstance(entry, URLPattern) and entry.name not in SKIPPED:
            yield f"{namespace}{entry.name}", route, entry.callback


PATTERNS = list(_patterns())


@pytest.fixture
def world(db):
    """One of everything a backoffice URL can name (kept small: it is built for every URL)."""
    appointment = booked_today(1, service=ServiceFactory(slug="verlaengerung"))
    team = appointment.slot.team
    batch = imported_batch(1)
    device, _token = DeviceToken.issue(name="Wartebereich", teams=[team])
    now = timezone.now()
    return {
        "team_id": team.pk,
        "appointment_id": appointment.pk,
        "rule_id": rule_for(team, [appointment.service]).pk,
        "closure_id": Closure.objects.create(
            team=team, start=now + dt.timedelta(days=9), end=now + dt.timedelta(days=10)
        ).pk,
        "counter_id": Counter.objects.create(team=team, number="7").pk,
        "device_id": device.pk,
        "batch_id": batch.pk,
        "message_id": OutboxMessage.objects.create(
            kind="confirmation",
            idempotency_key="fuzz",
            recipient="a@example.test",
            language="de",
            subject="x",
            status="failed",
        ).pk,
        "feedback_id": submit_feedback(
            message="Kontrast zu schwach", language="de", email="f@example.test"
        ).pk,
        "partner_id": create_partner_key(organisation="Caritas", limit=50, actor=None)[0].pk,
        "service_id": appointment.service_id,
        "table": "team",
        "action": "call",
    }


def _path(route, values):
    def fill(match):
        return str(values[match.group(2)])

    return re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)


def _fields(client, url, view):
    """The names a view reads: its page's inputs and its source's request.GET/POST lookups."""
    page = client.get(url)
    names = set()
    if page.get("Content-Type", "").startswith("text/html") and not page.streaming:
        names |= set(NAME.findall(page.content.decode(errors="replace")))
    source = inspect.getsource(inspect.getmodule(inspect.unwrap(view)))
    names |= set(READS.findall(source))
    names |= {"date", "from", "page"}
    return sorted(names - {"csrfmiddlewaretoken"})


def _no_server_error(response, request):
    assert response.status_code < 500, request


def _superuser():
    user = staff()
    type(user).objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
    return type(user).objects.get(pk=user.pk)


def _fuzz(client, url, fields, values, single):
    """Every field at once with each of `values`; then each field alone with one of `single`
    (in turn, so every field meets every kind over the fields of a page)."""
    for value in values:
        everything = dict.fromkeys(fields, value)
        _no_server_error(client.get(url, everything), ("get", url, "*", value))
        _no_server_error(client.post(url, everything), ("post", url, "*", value))
    for n, field in enumerate(fields if single else ()):
        value = single[n % len(single)]
        _no_server_error(client.get(url, {field: value}), ("get", url, field, value))
        _no_server_error(client.post(url, {field: value}), ("post", url, field, value))


@pytest.mark.parametrize(("name", "route", "view"), PATTERNS, ids=[p[0] for p in PATTERNS])
def test_no_hostile_value_gives_a_server_error(client, world, name, route, view):
    """Supervisor: hostile path ids, every field at once, then each field alone."""
    client.force_login(staff("supervisor"))
    url = _path(route, world)
    for key in re.findall(r"<int:(\w+)>", route):
        for bad in HOSTILE_IDS:
            hostile_url = _path(route, {**world, key: bad})
            for method in (client.get, client.post):
                _no_server_error(method(hostile_url), (method.__name__, hostile_url))
    _fuzz(client, url, _fields(client, url, view), HOSTILE, WORST)


@pytest.mark.parametrize(("name", "route", "view"), PATTERNS, ids=[p[0] for p in PATTERNS])
def test_no_hostile_value_gives_a_superuser_a_server_error(client, world, name, route, view):
    """Superuser (holds every role): every field at once with the worst values."""
    client.force_login(_superuser())
    url = _path(route, world)
    _fuzz(client, url, _fields(client, url, view), WORST, [])


FORMS_WITH_DATES = [
    "/backoffice/reports/breakdowns/",
    "/backoffice/reports/forecast/",
    "/backoffice/reports/export/team.csv",
    "/backoffice/manage/audit/",
    "/backoffice/manage/closures/new/",
]


@settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    url=st.sampled_from(FORMS_WITH_DATES),
    values=st.dictionaries(
        st.sampled_from(
            ["date_from", "date_to", "team", "service", "channel", "start", "end", "reason"]
        ),
        st.one_of(st.text(max_size=40), st.integers().map(str), st.dates().map(str)),
        max_size=4,
    ),
)
def test_free_text_in_report_and_closure_filters_gives_no_server_error(
    supervisor_client, url, values
):
    for method in (supervisor_client.get, supervisor_client.post):
        _no_server_error(method(url, values), (method.__name__, url, values))
