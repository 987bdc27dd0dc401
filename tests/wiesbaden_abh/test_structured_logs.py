"""Structured logs: JSON lines with request ids, the id carried into tasks, nothing personal.

The flow runs in this process with the project's own formatter on a captured stream: a resident
books on the web, opens the verification link and the manage link, and cancels while the mail
server refuses; the captured lines are then searched for the resident's data and the token.
"""

import io
import json
import logging
import re
import smtplib
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from structlog.contextvars import bound_contextvars

from appointments.models import OutboxMessage
from appointments.notifications import outbox
from tests.appointments.api.helpers import hold_on_the_web
from tests.factories import bookable_slot
from wiesbaden_abh import logs
from wiesbaden_abh.celery import app

NAME, GIVEN, BIRTH, EMAIL = "Yılmaz", "Ayşe", "1990-04-23", "ayse@example.test"
BIRTH_FORMS = ("1990-04-23", "23.04.1990", "23.4.1990", "19900423")


@pytest.fixture
def captured():
    """Every log line of the test, rendered as production renders it (JSON)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter("json"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def local(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def lines(stream):
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses the recipient and says so, address included."""

    def send_messages(self, messages):
        recipient = messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({recipient: (550, f"<{recipient}> unknown".encode())})


@pytest.mark.django_db(transaction=True)
def test_a_booking_flow_logs_json_with_request_ids_and_nothing_personal(
    client, captured, settings, protections_off
):
    service, _team, slot = bookable_slot()
    response = hold_on_the_web(client, service, slot)
    assert response.status_code == 302
    booking_id = response["X-Request-ID"]
    verify = re.search(r"https?://\S+/bestaetigen/\S*", mail.outbox[-1].body).group(0)
    token = verify.split("t=", 1)[1]
    code = re.search(r"/termin/([A-Z0-9]+)/", verify).group(1)

    assert client.get(local(verify), follow=True).status_code == 200
    assert client.post(f"/tr/termin/{code}/bestaetigen/", {}, follow=True).status_code == 200
    manage = re.search(rf"https?://\S+/termin/{code}/\S*", mail.outbox[-1].body).group(0)
    assert client.get(local(manage), follow=True).status_code == 200

    settings.EMAIL_BACKEND = "tests.wiesbaden_abh.test_structured_logs.RefusingBackend"
    cancel = client.post(f"/tr/termin/{code}/absagen/", {})
    assert cancel.status_code == 302
    logging.getLogger("tests").warning("a careless line about %s and ?token=%s", EMAIL, token)

    records = lines(captured)
    assert records, "nothing was logged"
    for record in records:
        assert {"timestamp", "level", "event", "logger", "request_id"} <= record.keys(), record
    # the mail task sent by the booking request logs under that request's id
    sent = [r for r in records if r["event"].startswith("outbox message") and "sent" in r["event"]]
    assert sent and sent[0]["request_id"] == booking_id
    coalesced = settings.OUTBOX_COALESCED_DELIVERY  # one task per burst, with Redis
    assert sent[0]["task"] == (outbox.DELIVER_DUE_TASK if coalesced else outbox.DELIVER_TASK)
    failed = [r for r in records if "failed" in r["event"] and r["logger"].endswith("outbox")]
    assert failed and failed[0]["request_id"] == cancel["X-Request-ID"]
    assert OutboxMessage.objects.filter(last_error__contains=EMAIL).exists()  # it was there

    text = captured.getvalue()
    forbidden = [NAME, GIVEN, *BIRTH_FORMS, EMAIL, EMAIL.split("@")[0], token]
    found = [item for item in forbidden if item.lower() in text.lower()]
    assert found == [], found
    assert "[email]" in text and "?token=[redacted]" in text


def test_a_plain_incoming_request_id_is_kept_and_a_strange_one_replaced(client, db):
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-4f2a9c1e")
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID='bad id"<script>' + "x" * 80)
    fresh = client.get("/healthz")
    assert kept["X-Request-ID"] == "proxy-4f2a9c1e"
    assert re.fullmatch(r"[0-9a-f]{32}", replaced["X-Request-ID"])
    assert re.fullmatch(r"[0-9a-f]{32}", fresh["X-Request-ID"])
    assert fresh["X-Request-ID"] != replaced["X-Request-ID"]


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("mail to erika.muster@example.test failed", "erika.muster@example.test"),
        ("GET /de/termin/ABCD1234/bestaetigen/?t=9fQk2xVh_Lr0aZ3&x=1", "9fQk2xVh_Lr0aZ3"),
        ("GET /backoffice/display/?device=Zt7Qp0LmXv", "Zt7Qp0LmXv"),
        ("Authorization: Bearer c2VjcmV0LXRva2Vu", "c2VjcmV0LXRva2Vu"),
        ("GET /de/warten/Ab3dEf6hIj9kLm2nOp5qRs8t/ 200", "Ab3dEf6hIj9kLm2nOp5qRs8t"),
        ("to erika%40example.test", "erika%40example.test"),
    ],
)
def test_the_redaction_masks_addresses_and_tokens(line, secret):
    rendered = logs.formatter("json").format(
        logging.LogRecord("x", logging.INFO, __file__, 1, line, None, None)
    )
    assert secret not in rendered
    assert json.loads(rendered)["event"] != line


def test_console_format_is_readable_text_in_development():
    rendered = logs.formatter("console").format(
        logging.LogRecord("appointments.x", logging.INFO, __file__, 1, "slots made", None, None)
    )
    assert "slots made" in rendered and not rendered.startswith("{")


@app.task(name="tests.logs.say")
def say():
    logging.getLogger("tests.task").info("task ran")


def test_an_eager_task_logs_under_the_id_of_the_request_that_sent_it(captured):
    with bound_contextvars(request_id="req-0123456789"):
        say.delay()
    (record,) = [r for r in lines(captured) if r["event"] == "task ran"]
    assert record["request_id"] == "req-0123456789" and record["task"] == "tests.logs.say"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_logs_under_the_id_of_the_web_request(
    client, real_worker, captured, protections_off
):
    service, _team, slot = bookable_slot()
    response = hold_on_the_web(client, service, slot)
    assert response.status_code == 302
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not mail.outbox:
        time.sleep(0.1)
    assert mail.outbox, "the worker sent no mail"
    time.sleep(0.2)
    sent = [r for r in lines(captured) if "sent" in r["event"] and r.get("task")]
    assert sent and sent[0]["request_id"] == response["X-Request-ID"]
