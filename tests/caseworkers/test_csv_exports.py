"""Every CSV export neutralises formula injection (issue 14): the day list, the report tables
and the invitation batch all write through appointments.csv_export."""

import csv
import datetime as dt
import io

import pytest

from appointments.models import Appointment, Channel
from tests.appointments.test_queue import booked_today
from tests.caseworkers.test_reports import figure
from tests.factories import ServiceFactory, TeamFactory, imported_batch

pytestmark = pytest.mark.django_db

STARTS = ["=", "+", "-", "@", "\t", "\r"]


def _rows(text):
    """The cells as a spreadsheet reads them (BOM dropped, quoted line breaks kept)."""
    text = text.removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


@pytest.mark.parametrize("start", STARTS)
def test_day_list_csv_neutralises_formulas_in_names(client, login_as, start):
    appointment = booked_today(1)
    Appointment.objects.filter(pk=appointment.pk).update(
        surname=f"{start}HYPERLINK(1)", given_names=f"{start}2+3"
    )
    login_as("reception")
    export = client.get(f"/backoffice/queue/{appointment.slot.team_id}/day/", {"format": "csv"})
    (row,) = _rows(export.content.decode())[1:]
    assert row[2:4] == [f"'{start}HYPERLINK(1)", f"'{start}2+3"]


@pytest.mark.parametrize("start", STARTS)
def test_report_csv_neutralises_formulas_in_team_names(supervisor_client, start):
    team, service = TeamFactory(name=f"{start}cmd|' /C calc'!A0"), ServiceFactory()
    figure(dt.date(2026, 3, 16), team, service, Channel.STAFF, booked=2, kept=1, no_show=1)
    export = supervisor_client.get(
        "/backoffice/reports/export/team.csv",
        {"date_from": "2026-03-16", "date_to": "2026-03-18"},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert export.status_code == 200
    (row,) = _rows(export.content.decode())[1:]
    assert row[0] == f"'{start}cmd|' /C calc'!A0"


@pytest.mark.parametrize("start", STARTS)
def test_invitation_export_neutralises_formulas_in_imported_cells(supervisor_client, office, start):
    batch = imported_batch(1)
    batch.invitations.update(surname=f"{start}SUM(A1)", decline_note=f"{start}1+1")
    export = supervisor_client.get(f"/backoffice/invitations/{batch.pk}/export.csv")
    body = b"".join(export.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    header, row = _rows(body)
    assert row[header.index("Nachname")] == f"'{start}SUM(A1)"
    assert row[header.index("Hinweis")] == f"'{start}1+1"
