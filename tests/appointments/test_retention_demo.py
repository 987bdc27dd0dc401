"""Retention on the demo and on a generated year (issue 15, "Done when"): a dry run changes
nothing; a run leaves none of the due residents' names, birth dates or e-mail addresses in any
text column of any table; a second run removes nothing; every report table and CSV is the same
before and after, also after the statistics were rebuilt from the pseudonymised rows."""

import datetime as dt
import hashlib
import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Max, Min, Value
from django.db.models.functions import Concat
from django.utils import timezone

from appointments import retention, statistics
from appointments.audit import log_event
from appointments.demo import history as demo_history
from appointments.models import Appointment, DailyFigure, HourlyFigure, OutboxMessage
from caseworkers.views.reports import EXPORTS
from tests.factories import open_office

# Frozen: the pages show the time of day, and nothing may fall due while the test runs.
pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-11-10 10:30", tick=False)]

TEXT_TYPES = {"CharField", "TextField", "JSONField", "SlugField", "EmailField"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
WORD = re.compile(r"[\w-]+")


def _text_columns(cursor):
    introspection = connection.introspection
    for table in introspection.table_names(cursor):
        columns = [
            column.name
            for column in introspection.get_table_description(cursor, table)
            if introspection.get_field_type(column.type_code, column) in TEXT_TYPES
        ]
        if columns:
            yield table, columns


def _text_values():
    """Every value of every text, char and JSON column of every table, as text."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, columns in list(_text_columns(cursor)):
            cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if value is None or value == "":
                        continue
                    if not isinstance(value, str):
                        value = json.dumps(value, ensure_ascii=False, default=str)
                    yield table, value


def _snapshot():
    """{table: (rows, digest of all rows)}: any change to any row changes it."""
    quote = connection.ops.quote_name
    result = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY 1")
            rows = cursor.fetchall()
            digest = hashlib.sha256(repr(rows).encode()).hexdigest()
            result[table] = (len(rows), digest)
    return result


def _findings(people):
    """(table, what) for every trace of `people` (names, birth dates, e-mails) left as text."""
    names = {name.casefold() for p in people for name in (p["surname"], p["given_names"])}
    emails = {p["email"].casefold() for p in people if p["email"]}
    births = {p["date_of_birth"].isoformat() for p in people} | {
        p["date_of_birth"].strftime("%d.%m.%Y") for p in people
    }
    found = []
    for table, value in _text_values():
        folded = value.casefold()
        found += [(table, w) for w in WORD.findall(folded) if w in names]
        found += [(table, e) for e in EMAIL.findall(folded) if e in emails]
        found += [(table, b) for b in births if b in value]
    return found


def _due_people(now):
    """The residents whose appointments are due, made unmistakable first: the demo reuses 20
    surnames and 10 given names, so each due resident's name gets their code appended."""
    categories = {category.name: category for category in retention.CATEGORIES}
    due = categories["appointments"].due(now) | categories["expired_holds"].due(now)
    Appointment.objects.filter(pk__in=due.values("pk")).update(
        surname=Concat("surname", Value("-"), "code"),
        given_names=Concat("given_names", Value("-"), "code"),
    )
    return list(due.values("pk", "surname", "given_names", "email", "date_of_birth"))


def _traces_elsewhere(people, now):
    """What real use leaves behind: sent mails, event payloads (written by older code),
    staff-access audit; so the scan also covers the outbox and the event log."""
    for person in people[:25]:
        OutboxMessage.objects.create(
            kind="confirmation",
            appointment_id=person["pk"],
            idempotency_key=f"demo-{person['pk']}",
            recipient=person["email"],
            language="de",
            subject="Ihr Termin",
            text_body=f"Guten Tag {person['given_names']} {person['surname']}, "
            f"geboren {person['date_of_birth']:%d.%m.%Y}",
            status="sent",
            sent_at=now - dt.timedelta(days=120),
        )
        log_event(
            action="test.legacy_payload",
            appointment=Appointment.objects.get(pk=person["pk"]),
            at=now - dt.timedelta(days=120),
            email=person["email"],
            name=person["surname"],
        )


def _reports(client, first, last):
    """Every report CSV (overview, breakdowns over the whole history, forecast)."""
    period = {"date_from": first.isoformat(), "date_to": last.isoformat()}
    out = {}
    for table in sorted(EXPORTS):
        response = client.get(f"/backoffice/reports/export/{table}.csv", period)
        assert response.status_code == 200, (table, response.content[:200])
        out[table] = response.content.decode()
    out["overview-page"] = re.sub(
        r"csrfmiddlewaretoken\" value=\"[^\"]+\"",
        "",
        client.get("/backoffice/reports/").content.decode(),
    )
    return out


def _figures():
    fields = ("date", "team_id", "service_id", "channel")
    return (
        sorted(DailyFigure.objects.values_list(*fields, "booked", "kept", "no_show")),
        sorted(HourlyFigure.objects.values_list().order_by()),
    )


def _check_retention_keeps_figures(client, first, last):
    now = timezone.now()
    people = _due_people(now)
    assert people, "nothing due: the test would prove nothing"
    _traces_elsewhere(people, now)
    reports, figures = _reports(client, first, last), _figures()
    before = _snapshot()
    # The scan sees them before: names, birth dates (as text in the mails) and e-mails.
    assert {what for _table, what in _findings(people)} >= {people[0]["email"].casefold()}

    dry = retention.apply_retention(dry_run=True)
    assert _snapshot() == before
    assert dry["appointments"] + dry["expired_holds"] == len(people)

    counts = retention.apply_retention()
    assert counts == dry
    assert _findings(people) == []
    again = retention.apply_retention()
    assert set(again.values()) == {0}, again
    assert _reports(client, first, last) == reports
    statistics.rebuild(date_from=first, date_to=last)
    assert _figures()[0] == figures[0]
    assert _reports(client, first, last) == reports
    return counts


def test_the_demo_keeps_no_due_resident_and_every_figure(supervisor_client, supervisor_user):
    call_command("seed_demo", force=True, stdout=io.StringIO())
    # The demo sets the password of "teamleitung", which ends the session.
    supervisor_user.refresh_from_db()
    supervisor_client.force_login(supervisor_user)
    span = Appointment.objects.aggregate(first=Min("slot__start"), last=Max("slot__start"))
    first = timezone.localdate(span["first"])
    last = timezone.localdate() - dt.timedelta(days=1)

    counts = _check_retention_keeps_figures(supervisor_client, first, last)

    assert counts["appointments"] > 500
    assert counts["messages"] == 25


def test_a_generated_year_keeps_every_figure(supervisor_client):
    open_office(split=())
    history = demo_history.create_history(months=12)
    statistics.rebuild(date_from=history.first_day, date_to=history.last_day)

    counts = _check_retention_keeps_figures(supervisor_client, history.first_day, history.last_day)

    assert counts["appointments"] > 1000
