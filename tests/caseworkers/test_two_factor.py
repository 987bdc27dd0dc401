"""Two-factor login (STAFF_2FA_REQUIRED): supervisors and administrators set up an
authenticator app once, then confirm a code after the password; recovery codes work once;
reception and caseworkers log in as before; with the setting off nothing changes."""

import re
from pathlib import Path

import pytest
import yaml
from django.core import checks
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from appointments.models import Event
from tests.factories import PASSWORD, staff

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-11-10 10:30", tick=False)]

ROOT = Path(__file__).resolve().parents[2]
SETUP = "/backoffice/two-factor/setup/"
VERIFY = "/backoffice/two-factor/"


@pytest.fixture
def required(settings):
    settings.STAFF_2FA_REQUIRED = True


def code_of(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def log_in(client, user):
    response = client.post("/backoffice/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return response


def with_app(user):
    """`user` with a confirmed authenticator app and two recovery codes."""
    device = TOTPDevice.objects.create(user=user, name="App", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="Recovery")
    StaticToken.objects.create(device=recovery, token="abcd2345")
    StaticToken.objects.create(device=recovery, token="efgh6789")
    return device


@pytest.mark.usefixtures("required")
def test_a_supervisor_without_a_code_reaches_nothing_but_the_code_step(client):
    user = staff("supervisor", username="teamleitung", password=PASSWORD)
    with_app(user)
    log_in(client, user)
    for path in ("/backoffice/", "/backoffice/manage/", "/backoffice/reports/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{VERIFY}?next="), path
    api = client.get("/api/v1/staff/queue/")
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"
    wrong = client.post(VERIFY, {"code": "000000", "next": "/backoffice/"})
    assert wrong.status_code == 200 and "nicht richtig" in wrong.content.decode()
    assert client.get("/backoffice/").status_code == 302


@pytest.mark.usefixtures("required")
def test_the_code_of_the_app_lets_the_supervisor_in(client):
    user = staff("supervisor", username="teamleitung", password=PASSWORD)
    device = with_app(user)
    log_in(client, user)
    response = client.post(VERIFY, {"code": code_of(device), "next": "/backoffice/manage/"})
    assert response["Location"] == "/backoffice/manage/"
    assert client.get("/backoffice/manage/").status_code == 200
    # The same code cannot be used for a second login.
    other = client.__class__()
    log_in(other, user)
    again = other.post(VERIFY, {"code": code_of(device)})
    assert again.status_code == 200 and other.get("/backoffice/").status_code == 302


@pytest.mark.usefixtures("required")
def test_a_recovery_code_works_once_and_is_audited(client):
    user = staff("administrator", username="admin1", password=PASSWORD)
    with_app(user)
    log_in(client, user)
    assert client.post(VERIFY, {"code": "ABCD-2345"})["Location"] == "/backoffice/"
    assert client.get("/backoffice/").status_code == 200
    event = Event.objects.get(action="staff.recovery_code_used")
    assert event.actor == user and event.data == {"remaining": 1}

    client.logout()
    log_in(client, user)
    used_again = client.post(VERIFY, {"code": "abcd2345"})
    assert used_again.status_code == 200
    assert client.get("/backoffice/").status_code == 302


@pytest.mark.usefixtures("required")
def test_a_supervisor_without_an_app_sets_it_up_and_gets_ten_recovery_codes_once(client, clock):
    user = staff("supervisor", username="teamleitung", password=PASSWORD)
    log_in(client, user)
    assert client.get("/backoffice/")["Location"] == f"{SETUP}?next=%2Fbackoffice%2F"
    page = client.get(SETUP).content.decode()
    assert "<svg" in page and "data:" not in page  # the QR code is drawn here, inline
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', page).group(1)
    assert device.config_url.split("secret=")[1].startswith(secret.replace(" ", "")[:16])
    assert client.get(SETUP).content.decode().count(secret) == 1  # a reload keeps the key

    wrong = client.post(SETUP, {"code": "123456"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.filter(confirmed=True).exists()
    clock.shift(2)  # django-otp makes the next try after a wrong one wait a second
    shown = client.post(SETUP, {"code": code_of(device), "next": "/backoffice/"})
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", shown.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/backoffice/").status_code == 200
    event = Event.objects.get(action="staff.two_factor_set_up")
    assert event.actor == user and event.data == {"recovery_codes": 10}
    # Shown once: the set-up page now leads to the code step and shows no codes again.
    assert client.get(SETUP)["Location"] == VERIFY


@pytest.mark.usefixtures("required")
def test_the_admin_asks_for_the_second_factor_too(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/")["Location"] == f"{SETUP}?next=%2Fadmin%2F"
    device = TOTPDevice.objects.create(user=admin_user, confirmed=True)
    assert client.get("/admin/")["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert client.post(VERIFY, {"code": code_of(device), "next": "/admin/"})["Location"] == (
        "/admin/"
    )
    assert client.get("/admin/").status_code == 200


@pytest.mark.usefixtures("required")
@pytest.mark.parametrize("role", ["reception", "caseworker"])
def test_reception_and_caseworkers_log_in_without_a_second_factor(client, role):
    user = staff(role, username=f"{role}1", password=PASSWORD)
    log_in(client, user)
    assert client.get("/backoffice/").status_code == 200
    assert not TOTPDevice.objects.exists()
    assert client.get(SETUP)["Location"] == "/backoffice/"


def test_with_the_setting_off_supervisors_log_in_as_before(client, settings):
    assert settings.STAFF_2FA_REQUIRED is False
    user = staff("supervisor", username="teamleitung", password=PASSWORD)
    with_app(user)
    log_in(client, user)
    assert client.get("/backoffice/manage/").status_code == 200
    assert client.get("/api/v1/staff/queue/").status_code != 403


@pytest.mark.usefixtures("required")
def test_the_code_step_sends_nobody_to_another_site(client):
    user = staff("supervisor", username="teamleitung", password=PASSWORD)
    device = with_app(user)
    log_in(client, user)
    response = client.post(VERIFY, {"code": code_of(device), "next": "https://evil.example/"})
    assert response["Location"] == "/backoffice/"


def test_production_requires_the_second_factor_and_a_deploy_check_says_when_not(settings):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["x-app-env"]["STAFF_2FA_REQUIRED"] == "${STAFF_2FA_REQUIRED:-on}"
    settings.DEBUG = False
    ids = [m.id for m in checks.run_checks(include_deployment_checks=True)]
    assert "wiesbaden_abh.W020" in ids
    settings.STAFF_2FA_REQUIRED = True
    ids = [m.id for m in checks.run_checks(include_deployment_checks=True)]
    assert "wiesbaden_abh.W020" not in ids
