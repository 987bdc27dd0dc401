"""GET /readyz: ready with database, broker and all migrations; 503 naming each failing check."""

import pytest
from django.db import connection

from tests.conftest import free_port
from wiesbaden_abh import health

PENDING = "tests.wiesbaden_abh.pending_migrations"


@pytest.fixture(autouse=True)
def _fresh_check():
    health.forget_migration_check()
    yield
    health.forget_migration_check()


@pytest.mark.django_db
def test_ready_when_database_broker_and_migrations_are_fine(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "failing": [],
        "checks": {"database": "ok", "broker": "ok", "migrations": "ok"},
    }


@pytest.mark.django_db
def test_an_unreachable_broker_makes_the_instance_not_ready_quickly(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/1"  # nobody listens
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
    assert client.get("/healthz").status_code == 200  # liveness does not care


@pytest.mark.django_db
def test_an_unapplied_migration_makes_the_instance_not_ready(client, settings):
    settings.MIGRATION_MODULES = {"sessions": PENDING}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["migrations"]
    assert response.json()["checks"]["migrations"] == "unapplied"


@pytest.mark.django_db
def test_the_migration_check_is_remembered_only_while_it_holds(client, settings):
    assert client.get("/readyz").status_code == 200
    settings.MIGRATION_MODULES = {"sessions": PENDING}
    assert client.get("/readyz").status_code == 200  # remembered for a few seconds
    health.forget_migration_check()
    assert client.get("/readyz").status_code == 503
    settings.MIGRATION_MODULES = {}
    assert client.get("/readyz").status_code == 200  # a failure is not remembered


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_makes_the_instance_not_ready(client):
    original, live = dict(connection.settings_dict), connection.connection
    connection.connection = None  # the next query connects anew, to where nobody answers
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent/folder/db.sqlite3"
    else:
        connection.settings_dict["PORT"] = free_port()
    try:
        response = client.get("/readyz")
        health_response = client.get("/healthz")
    finally:
        connection.settings_dict.update(original)
        connection.connection = live
    assert response.status_code == 503
    assert response.json()["failing"] == ["database", "migrations"]
    assert health_response.status_code == 503
