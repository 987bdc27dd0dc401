"""The dry run of an invitation upload: exact duplicates kept once, a wrongly delimited line
reported once, permits expiring before their window flagged (offer the earliest free time), a
preview of the valid rows, every column documented; the export in German."""

import datetime as dt
import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from appointments.invitations import allocation, csv_import
from appointments.models import Invitation, InvitationState
from tests.factories import HEADER, NOW, TODAY, csv_bytes, imported_batch, row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
LATE = (TODAY + dt.timedelta(days=10)).strftime("%d.%m.%Y")  # window (6–4 weeks) has passed


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def supervisor(login_as):
    return login_as("supervisor")


def upload(client, data, name="export.csv"):
    return client.post(
        "/backoffice/invitations/upload/", {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def test_an_exact_duplicate_row_is_kept_once_and_reported(office):
    report = csv_import.check(csv_bytes([row(1), row(2), row(1)]))
    assert [r.number for r in report.rows] == [2, 3]
    assert not report.invalid and report.duplicates == [(4, 2)]
    batch = csv_import.import_checked(report=report, source_name="x.csv", now=NOW)
    assert batch.invitations.count() == 2 and batch.rows_in_file == 3
    assert "exact copy of row 2" in str(batch.skipped)


def test_a_wrongly_delimited_line_is_reported_once(office):
    good = csv_bytes([row(1), row(2)])
    comma_line = csv_bytes([row(3)], delimiter=",").split(b"\r\n")[1]
    report = csv_import.check(good + comma_line + b"\r\n")
    assert [r.number for r in report.invalid] == [4]
    assert [str(e) for e in report.invalid[0].errors] == [
        "Wrong delimiter: this line is separated by “,”, the file by “;”."
    ]
    assert len(report.new) == 2


def test_a_permit_expiring_before_its_window_is_flagged_and_can_get_the_earliest_time(office):
    report = csv_import.check(csv_bytes([row(1), row(2, Ablaufdatum=LATE)]), now=NOW)
    assert [r.number for r in report.late] == [3] and not report.invalid
    plain = imported_batch(1, Ablaufdatum=LATE, Aktenzeichen="AZ-LATE-1")
    allocation.allocate_batch(batch_id=plain.pk)
    assert plain.invitations.get().state == InvitationState.NO_PLACE

    report = csv_import.check(csv_bytes([row(2, Ablaufdatum=LATE)]), now=NOW)
    batch = csv_import.import_checked(
        report=report, source_name="x.csv", offer_earliest=True, now=NOW
    )
    allocation.allocate_batch(batch_id=batch.pk)
    invitation = batch.invitations.get()
    assert invitation.state == InvitationState.ALLOCATED
    day = timezone.localdate(invitation.appointment.slot.start)
    assert TODAY + dt.timedelta(days=3) <= day <= TODAY + dt.timedelta(days=3 + 14)


def test_the_dry_run_previews_the_valid_rows_and_offers_the_earliest_time(
    client, office, supervisor
):
    data = csv_bytes([row(1, Nachname="Müller"), row(2, Ablaufdatum=LATE)], encoding="cp1252")
    response = upload(client, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="preview"' in body and "Müller" in body and "AZ-00001" in body
    assert 'name="offer_earliest"' in body and "Offer the earliest free time" in body
    key = response.context["key"]
    response = client.post(
        "/backoffice/invitations/import/", {"key": key, "only_valid": "0", "offer_earliest": "1"}
    )
    assert response.status_code == 302
    assert Invitation.objects.get(file_number="AZ-00002").batch.offer_earliest


def test_the_upload_page_documents_every_column_and_the_service_short_names(
    client, office, supervisor
):
    body = client.get("/backoffice/invitations/upload/").content.decode()
    for header in ("Aktenzeichen", "Nachname", "Anschrift", "Anliegen", "Anrede", "Sprache"):
        assert f'<th scope="row">{header}</th>' in body, header
    assert "separated by |" in body
    assert "<code>verlaengerung</code>" in body


def test_the_export_has_german_headers_and_states(client, office, supervisor):
    batch = imported_batch(1, Anrede="Frau")
    response = client.get(f"/backoffice/invitations/{batch.pk}/export.csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    header, first = text.splitlines()[:2]
    assert header.startswith("\ufeffZeile;Aktenzeichen;Anrede;Nachname;Vornamen;Geburtsdatum")
    assert ";Frau;" in first and ";importiert;" in first
    assert HEADER  # the export's German headers follow the upload's column names


def test_the_invitation_forms_live_in_the_forms_package():
    invitations = importlib.import_module("caseworkers.forms.invitations")
    assert {"UploadForm", "WindowForm"} <= set(vars(invitations))
