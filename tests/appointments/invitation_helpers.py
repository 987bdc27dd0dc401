"""Builders shared by the invitation tests: an office with two teams, CSV files, a batch."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from appointments.invitations import csv_import
from appointments.models import ResponsibilityRule
from appointments.scheduling import generate_slots
from tests.factories import ServiceFactory, TeamFactory, rule_for

# Monday 2 March 2026, 08:00 in Wiesbaden.
NOW = timezone.make_aware(dt.datetime(2026, 3, 2, 8, 0))
TODAY = NOW.date()
# Expiry 8 weeks ahead: the default window (6 to 4 weeks before) is 16–30 March.
EXPIRY = TODAY + dt.timedelta(weeks=8)
WINDOW = (EXPIRY - dt.timedelta(weeks=6), EXPIRY - dt.timedelta(weeks=4))

HEADER = [
    "Aktenzeichen",
    "Nachname",
    "Vorname",
    "Geburtsdatum",
    "Staatsangehörigkeit",
    "E-Mail",
    "Anschrift",
    "Sprache",
    "Aufenthaltstitel",
    "Ablaufdatum",
    "Anliegen",
]


@dataclass
class Office:
    service: object
    team_ak: object
    team_lz: object


def open_office(*, internal=2, online=1, days=70, now=NOW, weekdays=range(5)):
    """One service; team A–K and team L–Z, each open 08:00–10:00 on weekdays in 30-minute
    slots with `internal` + `online` places; slots materialised for `days`."""
    service = ServiceFactory(
        slug="verlaengerung",
        name="Verlängerung der Aufenthaltserlaubnis",
        name_translations={"en": "Extension of a residence permit"},
        documents=[{"de": "Reisepass", "en": "Valid passport"}],
    )
    team_ak, team_lz = TeamFactory(name="A–K"), TeamFactory(name="L–Z")
    ResponsibilityRule.objects.create(service=service, team=team_ak, letter_from="A", letter_to="K")
    ResponsibilityRule.objects.create(service=service, team=team_lz, letter_from="L", letter_to="Z")
    for team in (team_ak, team_lz):
        for weekday in weekdays:
            rule_for(
                team,
                [service],
                weekday=weekday,
                start="08:00",
                end="10:00",
                slot_minutes=30,
                capacity=internal + online,
                online_capacity=online,
            )
    generate_slots(days=days, now=now)
    return Office(service, team_ak, team_lz)


def row(n, **overrides):
    values = {
        "Aktenzeichen": f"AZ-{n:05d}",
        "Nachname": "Aydin" if n % 2 else "Lewandowski",
        "Vorname": "Elif",
        "Geburtsdatum": "14.05.1988",
        "Staatsangehörigkeit": "TR",
        "E-Mail": f"person{n}@example.test",
        "Anschrift": "Musterstraße 1|65183 Wiesbaden",
        "Sprache": "de",
        "Aufenthaltstitel": "§ 16b AufenthG",
        "Ablaufdatum": EXPIRY.strftime("%d.%m.%Y"),
        "Anliegen": "verlaengerung",
    }
    values.update(overrides)
    return values


def csv_bytes(rows, *, delimiter=";", encoding="utf-8", header=HEADER):
    def cell(value):
        value = str(value)
        if delimiter in value or '"' in value:
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [delimiter.join(header)]
    lines += [delimiter.join(cell(r.get(column, "")) for column in header) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def imported_batch(count, *, now=NOW, **overrides):
    report = csv_import.check(
        csv_bytes([row(n, **overrides) for n in range(1, count + 1)]), now=now
    )
    assert not report.invalid, [(r.number, r.errors) for r in report.invalid]
    return csv_import.import_checked(report=report, source_name="test.csv", now=now)
