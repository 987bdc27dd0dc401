"""The running skeleton: pages in German and English, language switch, health, roles, demo seed."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.http import HttpRequest

from caseworkers.roles import ALL_ROLES

pytestmark = pytest.mark.django_db


def test_root_redirects_to_the_german_home_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/de/"


def test_home_page_renders_in_german(client):
    response = client.get("/de/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="de" dir="ltr">' in content
    assert "Ausländerbehörde Wiesbaden" in content
    assert "Zum Inhalt springen" in content  # the skip link, translated


def test_home_page_renders_in_english(client):
    response = client.get("/en/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="en" dir="ltr">' in content
    assert "Skip to main content" in content


def test_arabic_pages_are_right_to_left_with_the_rtl_stylesheet(client):
    content = client.get("/ar/").content.decode()
    assert 'dir="rtl"' in content
    assert "bootstrap.rtl.min.css" in content


def test_language_switch_moves_to_the_chosen_language(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/de/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert client.get("/").headers["Location"] == "/en/"


def test_pages_reference_only_local_assets(client):
    content = client.get("/de/").content.decode()
    assert "https://" not in content and "http://" not in content.replace("http://www.w3.org", "")


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_is_degraded_but_serving_when_the_configured_broker_is_down(client, settings):
    # Booking goes on without Redis (appointments.outage): a load balancer must keep the web.
    from tests.conftest import free_port

    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "unreachable"}


def test_healthz_is_unhealthy_when_the_database_is_down(client, monkeypatch):
    from wiesbaden_abh import health

    monkeypatch.setattr(health, "_database_ok", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error" and response.json()["database"] == "unreachable"


def test_staff_roles_exist_as_groups_after_migration():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ALL_ROLES)


def test_demo_seed_runs_twice_and_creates_one_user_per_role():
    call_command("seed_demo", force=True)
    call_command("seed_demo", force=True)
    User = get_user_model()
    for role in ALL_ROLES:
        assert User.objects.filter(groups__name=role).count() == 1
    assert User.objects.get(username="empfang").check_password("wiesbaden-demo")


def test_backoffice_requires_login_and_shows_roles(client):
    assert client.get("/backoffice/").status_code == 302
    call_command("seed_demo", force=True)
    # django-axes checks every authentication against its request; the test client has none.
    client.login(request=HttpRequest(), username="empfang", password="wiesbaden-demo")
    response = client.get("/backoffice/")
    assert response.status_code == 200
    assert "reception" in response.content.decode()


def test_language_switch_works_whatever_language_the_browser_prefers(client):
    response = client.post(
        "/i18n/setlang/", {"language": "tr", "next": "/de/"}, HTTP_ACCEPT_LANGUAGE="en-US,en"
    )
    assert response["Location"] == "/tr/"
