"""GET /metrics: the series after a booking, a refusal, a task and a failing mail; access."""

import datetime as dt
import smtplib

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from appointments import metrics as domain_metrics
from appointments.models import Appointment, OutboxMessage, OutboxStatus, Status
from appointments.notifications import outbox
from tests.appointments.api.helpers import booking_payload
from tests.factories import appointment, bookable_slot
from wiesbaden_abh.celery import app, ping

pytestmark = pytest.mark.django_db

TOKEN = "scrape-me-7f3a9c"


@pytest.fixture(autouse=True)
def _metrics_settings(settings, protections_off):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.METRICS_TOKEN = TOKEN
    settings.TRUSTED_PROXIES = ["10.0.0.1"]


@app.task(name="tests.metrics.explode")
def explode():
    raise RuntimeError("boom")


def scrape(client, **headers):
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain; version=")
    values = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def value(values, name, **labels):
    return values.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_a_booking_a_refusal_a_task_and_a_failed_mail(
    client, api, django_capture_on_commit_callbacks, settings
):
    service, _team, slot = bookable_slot(capacity=1)
    before = scrape(client)

    with django_capture_on_commit_callbacks(execute=True):
        held = api.post("/api/v1/bookings/", booking_payload(service, slot, 1), format="json")
    assert held.status_code == 201
    full = api.post("/api/v1/bookings/", booking_payload(service, slot, 2), format="json")
    assert full.status_code == 409
    ping.apply()
    explode.apply()
    settings.EMAIL_BACKEND = "tests.wiesbaden_abh.test_metrics.RefusingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = OutboxMessage.objects.get(appointment__code=held.json()["code"])
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=0, status=OutboxStatus.PENDING)
    assert outbox.deliver(message_id=message.pk) == OutboxStatus.FAILED

    after = scrape(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("abh_holds_total", channel="online") == 1
    assert delta("abh_refusals_total", reason="SlotFull", interface="api") == 1
    assert delta("abh_mail_failures_total", final="yes") == 1
    assert delta("abh_celery_tasks_total", task="wiesbaden_abh.ping", state="SUCCESS") == 1
    assert delta("abh_celery_task_duration_seconds_count", task="wiesbaden_abh.ping") == 1
    assert (
        delta("abh_celery_task_failures_total", task="tests.metrics.explode", error="RuntimeError")
        == 1
    )
    view = "api:v1:booking-create"
    assert delta("abh_http_requests_total", view=view, method="POST", status="201") == 1
    assert delta("abh_http_requests_total", view=view, method="POST", status="409") == 1
    assert delta("abh_http_request_duration_seconds_count", view=view) == 2
    assert value(after, "abh_outbox_failed_messages") == 1
    # No raw path, code or token ever becomes a label.
    assert not any(held.json()["code"] in str(key) for key in after)


def test_verifying_counts_a_booking_once_committed(client, django_capture_on_commit_callbacks):
    service, _team, slot = bookable_slot()
    before = scrape(client)
    with django_capture_on_commit_callbacks(execute=True):
        appointment(service=service, slot=slot, channel="online")
    after = scrape(client)
    key = ("abh_bookings_total", (("channel", "online"),))
    assert after.get(key, 0) - before.get(key, 0) == 1


def test_queue_and_outbox_gauges_are_read_from_the_database(client):
    service, team, slot = bookable_slot()
    waiting = appointment(service=service, slot=slot)
    Appointment.objects.filter(pk=waiting.pk).update(
        status=Status.CHECKED_IN,
        queue_team=team,
        checked_in_at=timezone.now() - dt.timedelta(minutes=25),
    )
    OutboxMessage.objects.update(created_at=timezone.now() - dt.timedelta(minutes=7))

    values = scrape(client)

    assert value(values, "abh_queue_length", team=team.name) == 1
    assert 25 * 60 <= value(values, "abh_queue_oldest_wait_seconds", team=team.name) < 26 * 60
    assert value(values, "abh_outbox_pending_messages") == OutboxMessage.objects.count() >= 1
    assert 7 * 60 <= value(values, "abh_outbox_oldest_pending_age_seconds") < 8 * 60


def test_availability_cache_hits_and_misses_are_counted(client):
    before = scrape(client)
    domain_metrics.availability_cache(hit=True)
    domain_metrics.availability_cache(hit=True)
    domain_metrics.availability_cache(hit=False)
    after = scrape(client)
    name = "abh_availability_cache_requests_total"
    assert value(after, name, result="hit") - value(before, name, result="hit") == 2
    assert value(after, name, result="miss") - value(before, name, result="miss") == 1


def test_an_address_outside_the_allowed_networks_gets_404_without_token(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 404
    assert b"abh_" not in response.content


def test_behind_the_proxy_the_forwarded_client_address_decides(client):
    outside = client.get("/metrics", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    forged = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1")
    inside = client.get("/metrics", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert (outside.status_code, forged.status_code, inside.status_code) == (404, 404, 200)


def test_the_token_opens_metrics_from_anywhere_and_a_wrong_token_is_refused(client):
    auth = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **auth).status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **auth).status_code == 403


def test_without_a_configured_token_no_bearer_opens_metrics(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404


class RefusingBackend:
    """A mail backend whose server refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("gone")
