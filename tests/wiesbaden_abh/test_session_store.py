"""The database session store reads its row with one plain SELECT and answers as Django's does:
the data of a live session, nothing for an expired, unknown or tampered one."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.module_loading import import_string

pytestmark = pytest.mark.django_db


@pytest.fixture
def store_class():
    assert settings.SESSION_ENGINE == "wiesbaden_abh.session_store"
    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")


def saved(store_class, **data):
    store = store_class()
    store.update(data)
    store.create()
    return store.session_key


def test_a_live_session_is_read_in_one_query(store_class, django_assert_num_queries):
    key = saved(store_class, draft={"surname": "Öztürk"}, n=3)

    with django_assert_num_queries(1):
        store = store_class(key)
        assert store["draft"] == {"surname": "Öztürk"} and store["n"] == 3
    assert store.session_key == key


def test_an_expired_session_reads_as_empty_and_gets_a_new_key_when_saved(store_class, clock):
    key = saved(store_class, n=1)
    Session.objects.filter(pk=key).update(expire_date=timezone.now())
    clock.shift(dt.timedelta(seconds=1))

    store = store_class(key)
    assert "n" not in store and store.is_empty()
    store["n"] = 2
    store.save()
    assert store.session_key != key


def test_an_unknown_key_reads_as_empty(store_class):
    store = store_class("x" * 32)
    assert store.load() == {} and store.session_key is None


def test_tampered_data_reads_as_empty(store_class):
    key = saved(store_class, n=1)
    Session.objects.filter(pk=key).update(session_data="not-signed")

    assert store_class(key).load() == {}


def test_a_session_expiring_in_the_future_is_read_until_then(store_class, clock):
    key = saved(store_class, n=1)
    expiry = Session.objects.get(pk=key).expire_date
    clock.move_to(expiry - dt.timedelta(seconds=1))
    assert store_class(key)["n"] == 1
    clock.move_to(expiry + dt.timedelta(seconds=1))
    assert "n" not in store_class(key)
