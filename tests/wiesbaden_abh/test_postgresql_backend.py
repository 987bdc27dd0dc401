"""The kept database connection is checked without a round trip while its socket is silent,
and replaced before the request's first query when the server has dropped it."""

import time

import psycopg2
import pytest
from django.db import close_old_connections, connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class CountingConnection:
    """The driver's connection, counting the cursors opened on it (a SELECT 1 needs one)."""

    def __init__(self, real):
        self.real, self.cursors = real, 0

    def cursor(self, *args, **kwargs):
        self.cursors += 1
        return self.real.cursor(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.fixture
def kept_connection():
    assert connection.settings_dict["ENGINE"] == "wiesbaden_abh.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    age = connection.settings_dict["CONN_MAX_AGE"]
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 60  # as in production (DEBUG keeps none)
    connection.ensure_connection()
    yield connection
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = age


def next_request():
    """What Django does when the next request starts: the check runs before its first query."""
    close_old_connections()


def test_a_live_connection_is_checked_without_a_query(kept_connection):
    counting = CountingConnection(kept_connection.connection)
    kept_connection.connection = counting
    try:
        next_request()
        kept_connection.close_if_health_check_failed()
    finally:
        kept_connection.connection = counting.real
    assert counting.cursors == 0 and kept_connection.health_check_done
    with kept_connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_connection_the_server_dropped_is_replaced_before_the_first_query(kept_connection):
    dropped = kept_connection.connection.get_backend_pid()
    killer = psycopg2.connect(
        dbname=kept_connection.settings_dict["NAME"],
        user=kept_connection.settings_dict["USER"] or None,
        host=kept_connection.settings_dict["HOST"] or None,
        port=kept_connection.settings_dict["PORT"] or None,
    )
    killer.autocommit = True
    with killer.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [dropped])
    killer.close()
    for _ in range(50):  # the server's goodbye reaches the socket within milliseconds
        if not kept_connection._socket_silent():
            break
        time.sleep(0.02)

    next_request()
    with kept_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != dropped
