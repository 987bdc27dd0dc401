"""The administrators' page of periodic tasks lists every beat entry with its schedule, and the
last and next run the beat recorded in Redis."""

import datetime as dt

import pytest
import redis
from django.conf import settings

from wiesbaden_abh.beat import LAST_RUN_KEY

URL = "/admin/periodic-tasks/"


def test_every_periodic_task_is_listed_with_its_schedule(admin_client):
    response = admin_client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    names = [row["name"] for row in response.context["rows"]]
    assert names == sorted(settings.CELERY_BEAT_SCHEDULE)
    rows = {row["name"]: row for row in response.context["rows"]}
    assert rows["expire-holds"]["schedule"] == "every minute"
    assert rows["rebuild-statistics"]["schedule"] == "daily at 2:30"
    assert rows["generate-slots"]["schedule"] == "every 15 minutes"
    assert b"appointments.tasks.sweep_outbox" in response.content


def test_the_admin_index_links_to_the_page(admin_client):
    assert URL.encode() in admin_client.get("/admin/").content


def test_staff_without_superuser_rights_are_refused(login_as, client):
    user = login_as(None)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    assert client.get(URL).status_code == 403


@pytest.mark.redis
def test_last_run_recorded_by_the_beat_gives_the_next_run(admin_client):
    client = redis.Redis.from_url(settings.REDIS_URL)
    sent = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=20)
    client.hset(LAST_RUN_KEY, "expire-holds", sent.isoformat())
    try:
        rows = {row["name"]: row for row in admin_client.get(URL).context["rows"]}
    finally:
        client.delete(LAST_RUN_KEY)
    assert rows["expire-holds"]["last_run"] == sent
    gap = rows["expire-holds"]["next_run"] - sent
    assert dt.timedelta(seconds=30) < gap < dt.timedelta(seconds=70)
    assert rows["sweep-outbox"]["last_run"] is None
