"""sql.insert_all: new rows in order, a row pointing to one inserted before it, in one
statement on PostgreSQL (one round trip) and one INSERT each elsewhere."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from appointments import booking
from appointments.models import Appointment, Case, Counter, Event, OutboxMessage, Team
from appointments.sql import (
    InsertedPk,
    _compiled_insert_sql,
    _insert_head,
    _insert_sql,
    insert_all,
)
from tests.factories import bookable_slot, person

pytestmark = pytest.mark.django_db


def _team(name="Team A", prefix="Q"):
    return Team(name=name, waiting_prefix=prefix)


def test_rows_are_inserted_in_order_with_their_keys_and_links():
    team = _team()
    first = Counter(team_id=InsertedPk(team), number="1")
    second = Counter(team_id=InsertedPk(team), number="2", active=False)
    with CaptureQueriesContext(connection) as queries:
        insert_all([team, first, second])
    assert len(queries) == (1 if connection.vendor == "postgresql" else 3)
    assert team.pk and first.pk and second.pk and len({first.pk, second.pk}) == 2
    assert first.team_id == second.team_id == team.pk
    assert not team._state.adding and not second._state.adding
    stored = {c.pk: (c.team_id, c.number, c.active) for c in Counter.objects.all()}
    assert stored == {first.pk: (team.pk, "1", True), second.pk: (team.pk, "2", False)}
    assert Team.objects.get(pk=team.pk).name == "Team A"


def test_a_refused_row_inserts_none_of_them():
    team = _team()
    rows = [team, Counter(team_id=InsertedPk(team), number="1")]
    rows.append(Counter(team_id=InsertedPk(team), number="1"))  # unique per team
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_all(rows)
    assert not Team.objects.exists() and not Counter.objects.exists()


def test_one_row_and_no_rows():
    team = _team()
    with CaptureQueriesContext(connection) as queries:
        assert insert_all([]) == []
        insert_all([team])
    assert len(queries) == 1 and Team.objects.get().pk == team.pk


def test_only_new_rows_with_generated_keys():
    team = _team()
    team.save()
    with pytest.raises(ValueError, match="new rows"):
        insert_all([team, Counter(team_id=InsertedPk(team), number="1")])
    assert not Counter.objects.exists()


def test_each_insert_is_the_statement_djangos_compiler_writes():
    # The statements are built from a column list kept per model: held against the
    # compiler's for every model a booking inserts, a link to an earlier row included.
    service, team, slot = bookable_slot(capacity=3)
    booked, _token = booking.book(
        service=service, slot_id=slot.pk, person=person(), channel="online"
    )
    case = Case(service=service, created_at=booked.created_at)
    appointment = Appointment.objects.get(pk=booked.pk)
    appointment.pk, appointment.code = None, "ABCDEFGH"
    appointment.case_id = InsertedPk(case)
    appointment.case_id.alias = "inserted_0"
    event = Event.objects.filter(appointment=booked).first()
    message = OutboxMessage.objects.filter(appointment=booked).first()
    event.pk = message.pk = None
    for row in (case, appointment, event, message, Counter(team=team, number="9")):
        _head, fields = _insert_head(row._meta, connection)
        for returning in (False, True):
            ours = _insert_sql(row, connection, returning=returning)
            django = _compiled_insert_sql(row, fields, connection, returning=returning)
            assert ours[0] == django[0]
            assert [str(p) for p in ours[1]] == [str(p) for p in django[1]]
