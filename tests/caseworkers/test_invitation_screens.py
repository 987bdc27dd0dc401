"""Supervisor screens for invitations: roles, upload with dry-run report, import, allocate,
send, drill-down, CSV export, letters, target windows."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from appointments.invitations import allocation
from appointments.models import (
    Event,
    Invitation,
    InvitationBatch,
    InvitationState,
    InvitationWindow,
    OutboxMessage,
)
from tests.conftest import free_port
from tests.factories import csv_bytes, imported_batch, row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture(autouse=True)
def english(client, settings):
    """Messages are asserted in English (the source language), whatever the catalogues say."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def supervisor(login_as):
    return login_as("supervisor")


def upload(client, data, name="export.csv"):
    return client.post(
        "/backoffice/invitations/upload/", {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


PAGES = [
    ("get", "/backoffice/invitations/"),
    ("get", "/backoffice/invitations/upload/"),
    ("get", "/backoffice/invitations/windows/"),
    ("get", "/backoffice/invitations/{batch}/"),
    ("get", "/backoffice/invitations/{batch}/progress/"),
    ("get", "/backoffice/invitations/{batch}/export.csv"),
    ("post", "/backoffice/invitations/{batch}/allocate/"),
    ("post", "/backoffice/invitations/{batch}/send/"),
    ("post", "/backoffice/invitations/import/"),
]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_only_supervisors_and_administrators_reach_the_invitation_screens(
    client, login_as, office, method, path
):
    url = path.format(batch=imported_batch(1).pk)
    response = getattr(client, method)(url)
    assert response.status_code == 302 and "/backoffice/login/" in response["Location"]
    for role in ("reception", "caseworker"):
        login_as(role)
        assert getattr(client, method)(url).status_code == 403, role
        client.logout()
    assert Invitation.objects.get().state == InvitationState.IMPORTED
    for role in ("supervisor", "administrator"):
        login_as(role)
        assert getattr(client, method)(url).status_code in (200, 302), role
        client.logout()


def test_the_dry_run_reports_every_bad_row_and_writes_nothing(client, office, supervisor):
    data = csv_bytes(
        [
            row(1),
            row(2, Geburtsdatum="32.13.1990"),
            row(3, Anliegen="Visum"),
            row(4, **{"E-Mail": "", "Anschrift": ""}),
        ]
    )
    response = upload(client, data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Bad date of birth “32.13.1990”" in text
    assert "Unknown service “Visum”" in text
    assert "No contact" in text
    assert "Import only the 1 valid row" in text
    assert InvitationBatch.objects.count() == 0 and Invitation.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\x00\x01\x02PK\x03\x04binary" * 20, "not a CSV file"),
        (b"Name,Telefon\nA,1\n", "Required columns are missing"),
    ],
)
def test_a_bad_file_gives_a_clear_message_and_writes_nothing(
    client, office, supervisor, data, message
):
    response = upload(client, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert InvitationBatch.objects.count() == 0 and Invitation.objects.count() == 0


def test_upload_import_allocate_send_and_export(
    client, office, supervisor, django_capture_on_commit_callbacks
):
    data = csv_bytes([row(1), row(2, **{"E-Mail": ""}), row(3, Anliegen="??")])
    report = upload(client, data)
    key = report.context["key"]
    # "import everything" is refused while a row is bad
    refused = client.post("/backoffice/invitations/import/", {"key": key, "only_valid": "0"})
    assert refused.status_code == 400 and Invitation.objects.count() == 0
    response = client.post("/backoffice/invitations/import/", {"key": key, "only_valid": "1"})
    batch = InvitationBatch.objects.get()
    assert response["Location"] == f"/backoffice/invitations/{batch.pk}/"
    assert batch.invitations.count() == 2 and batch.skipped[0]["row"] == 4
    # the checked file is used once
    again = client.post("/backoffice/invitations/import/", {"key": key, "only_valid": "1"})
    assert again.status_code == 302 and Invitation.objects.count() == 2

    with django_capture_on_commit_callbacks(execute=True):  # the task runs inline
        client.post(f"/backoffice/invitations/{batch.pk}/allocate/")
    assert Invitation.objects.filter(state=InvitationState.ALLOCATED).count() == 2
    page = client.get(f"/backoffice/invitations/{batch.pk}/")
    assert "Send 2 invitations" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/backoffice/invitations/{batch.pk}/send/")
    assert OutboxMessage.objects.filter(kind="invitation").count() == 1
    page = client.get(f"/backoffice/invitations/{batch.pk}/?state=sent")
    assert page.context["page"].paginator.count == 2
    assert "Letters 1–1 as PDF" in page.content.decode()

    Invitation.objects.filter(row_number=2).update(decline_note='=HYPERLINK("http://x")')
    export = client.get(f"/backoffice/invitations/{batch.pk}/export.csv")
    body = b"".join(export.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffZeile;Aktenzeichen;")  # German, like the report CSVs
    assert "'=HYPERLINK" in body  # a resident's note never runs as a spreadsheet formula
    assert "AZ-00001" in body and ";gesendet;" in body and "AZ-00003" not in body
    assert Event.objects.filter(action="personal_data.exported").exists()

    pdf = client.get(f"/backoffice/invitations/{batch.pk}/letters.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # letters come in PDFs of at most 100: there is no second part here
    assert client.get(f"/backoffice/invitations/{batch.pk}/letters.pdf?part=2").status_code == 302
    pypdf = pytest.importorskip("pypdf")
    text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert Invitation.objects.get(email="").appointment.code in text


def test_re_uploading_an_imported_file_changes_nothing(client, office, supervisor):
    data = csv_bytes([row(1), row(2)])
    key = upload(client, data).context["key"]
    client.post("/backoffice/invitations/import/", {"key": key, "only_valid": "0"})
    response = upload(client, data)
    assert "2 rows imported before" in response.content.decode()
    assert response.context["key"] == ""  # nothing to import
    assert InvitationBatch.objects.count() == 1 and Invitation.objects.count() == 2


def test_the_batch_list_counts_invitees_per_state(client, office, supervisor):
    batch = imported_batch(3)
    allocation.allocate_batch(batch_id=batch.pk)
    Invitation.objects.filter(row_number=2).update(state=InvitationState.DECLINED)
    response = client.get("/backoffice/invitations/")
    listed = response.context["batches"][0]
    counts = {state: count for state, _label, count in listed.counts}
    assert counts["allocated"] == 2 and counts["declined"] == 1 and listed.total == 3


def test_a_service_gets_its_own_window_and_wrong_ones_are_refused(client, office, supervisor):
    prefix = f"s{office.service.pk}"
    bad = client.post(
        "/backoffice/invitations/windows/",
        {
            "service": office.service.pk,
            "action": "save",
            f"{prefix}-weeks_before_from": 3,
            f"{prefix}-weeks_before_until": 5,
        },
    )
    assert bad.status_code == 400 and "must start before it ends" in bad.content.decode()
    assert not InvitationWindow.objects.exists()
    client.post(
        "/backoffice/invitations/windows/",
        {
            "service": office.service.pk,
            "action": "save",
            f"{prefix}-weeks_before_from": 8,
            f"{prefix}-weeks_before_until": 5,
        },
    )
    window = InvitationWindow.objects.get()
    assert (window.weeks_before_from, window.weeks_before_until) == (8, 5)
    client.post(
        "/backoffice/invitations/windows/", {"service": office.service.pk, "action": "default"}
    )
    assert not InvitationWindow.objects.exists()


@pytest.fixture
def cache_down(settings):
    """The default cache is Redis on a port where nobody listens (as tests/appointments/
    test_outage.py): connection refused at once."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "wiesbaden_abh.redis_cache.SharedClientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        },
    }


def test_with_the_cache_down_a_checked_file_waits_in_the_session_and_imports(
    client, office, supervisor, cache_down, caplog
):
    data = csv_bytes([row(1), row(2)])

    report = upload(client, data)

    assert report.status_code == 200
    key = report.context["key"]
    assert key
    response = client.post("/backoffice/invitations/import/", {"key": key, "only_valid": "0"})
    batch = InvitationBatch.objects.get()
    assert response["Location"] == f"/backoffice/invitations/{batch.pk}/"
    assert batch.invitations.count() == 2
    # used once, as with the cache
    again = client.post("/backoffice/invitations/import/", {"key": key, "only_valid": "0"})
    assert again.status_code == 302 and InvitationBatch.objects.count() == 1
    assert "cache unavailable" in caplog.text and "AZ-0000" not in caplog.text


def test_with_the_cache_down_an_unknown_key_says_upload_again(client, supervisor, cache_down):
    response = client.post(
        "/backoffice/invitations/import/", {"key": "nope", "only_valid": "0"}, follow=True
    )
    assert response.status_code == 200
    assert "no longer available" in response.content.decode()
