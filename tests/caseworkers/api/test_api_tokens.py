"""Personal API tokens are stored hashed: the database and the admin never show one in clear."""

import hashlib
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.test import APIClient

from caseworkers.models import ApiToken
from caseworkers.roles import CASEWORKER
from tests.factories import staff

pytestmark = pytest.mark.django_db
STAFF = "/api/v1/staff"


def everything_stored():
    """Every value of every table, as one text (small test databases only)."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            values.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(values)


def test_an_issued_token_authenticates_and_is_stored_only_as_a_hash(staff_api):
    client, user = staff_api(CASEWORKER)
    response = client.post(f"{STAFF}/token/")
    assert response.status_code == 201
    key = response.json()["token"]
    assert len(key) >= 32
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert by_token.get(f"{STAFF}/me/").json()["username"] == user.username
    stored = everything_stored()
    assert key not in stored
    assert hashlib.sha256(key.encode()).hexdigest() in stored
    token = ApiToken.objects.get(user=user)
    assert token.prefix == key[:8] and len(token.prefix) < len(key) // 2


def test_a_wrong_or_inactive_users_token_is_refused(staff_api):
    client, user = staff_api(CASEWORKER)
    key = client.post(f"{STAFF}/token/").json()["token"]
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {key[:-1]}x")
    assert by_token.get(f"{STAFF}/me/").status_code == 401
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert by_token.get(f"{STAFF}/me/").status_code == 401


def test_the_admin_lists_tokens_by_their_prefix_only(client, staff_api):
    api, user = staff_api(CASEWORKER)
    key = api.post(f"{STAFF}/token/").json()["token"]
    admin = get_user_model().objects.create_superuser("root", "root@example.test", "pw-123456")
    client.force_login(admin)
    listing = client.get("/admin/caseworkers/apitoken/")
    assert listing.status_code == 200
    content = listing.content.decode()
    assert key[:8] in content and user.username in content
    assert key not in content
    token = ApiToken.objects.get(user=user)
    detail = client.get(f"/admin/caseworkers/apitoken/{token.pk}/change/").content.decode()
    assert key not in detail and token.key_hash not in detail
    assert client.get("/admin/caseworkers/apitoken/add/").status_code == 403


def test_the_migration_hashes_the_tokens_stored_in_clear_and_they_keep_working():
    user = staff(CASEWORKER, username="old-token")
    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    with connection.cursor() as cursor:
        if "authtoken_token" not in connection.introspection.table_names():
            cursor.execute(
                "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
                "created timestamp with time zone NOT NULL, user_id integer NOT NULL)"
            )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [key, "2026-01-05 10:00:00+00:00", user.pk],
        )
    migration = importlib.import_module("caseworkers.migrations.0003_api_tokens_stored_hashed")
    # the function needs only the editor's connection (a real editor is refused inside the
    # test's transaction on SQLite)
    migration.hash_tokens_stored_in_clear(apps, SimpleNamespace(connection=connection))
    assert key not in everything_stored()
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert by_token.get(f"{STAFF}/me/").json()["username"] == "old-token"
