"""The printed day list fits A4: a print stylesheet (landscape via @page) is linked, and every
column is in the printed markup."""

import re
from pathlib import Path

import pytest
import time_machine

from tests.appointments.test_queue import at_hour, booked_today

ROOT = Path(__file__).resolve().parents[2]
PRINT_CSS = ROOT / "static/css/day_list_print.css"
COLUMNS = ("Uhrzeit", "Buchungscode", "Name", "Anliegen", "Buchungsweg", "Status", "Nummer")


def test_print_stylesheet_sets_a4_landscape():
    css = PRINT_CSS.read_text()
    assert re.search(r"@page\s*\{[^}]*size:\s*A4 landscape", css)
    assert "@media print" in css and "table-header-group" in css
    assert "overflow: visible" in css  # no column cut off by the scrolling wrapper


@pytest.mark.django_db
def test_day_list_links_the_print_css_and_prints_every_column(login_as, client):
    appointment = booked_today(1)
    login_as("caseworker", username="cw-print")
    with time_machine.travel(at_hour(9, 0), tick=False):
        page = client.get(f"/backoffice/queue/{appointment.slot.team_id}/day/").content.decode()
    link = r'<link rel="stylesheet" href="[^"]*css/day_list_print\.css" media="print">'
    assert re.search(link, page)
    table = page[page.index('<table class="table table-sm day-list">') :]
    header = table[: table.index("</thead>")]
    for column in COLUMNS:
        assert f">{column}</th>" in header, column
    row = table[table.index("<tbody>") : table.index("</tbody>")]
    assert row.count("<td") == len(COLUMNS)
    assert appointment.code in row and appointment.surname in row
