"""The Redis cache keeps one client object per connection pool (Django builds one per call)."""

import pytest
from django.core.cache import caches

from tests.conftest import free_port

REDIS_CACHE = "wiesbaden_abh.redis_cache.SharedClientRedisCache"


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "shared": {"BACKEND": REDIS_CACHE, "LOCATION": settings.REDIS_URL, "KEY_PREFIX": "t-rc"},
    }
    cache = caches["shared"]
    yield cache
    cache.delete_many(["a", "b"])


@pytest.mark.redis
def test_every_call_shares_one_client_and_the_values_round_trip(settings, redis_cache):
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client
    redis_cache.set("a", {"x": 1}, 30)
    redis_cache.set_many({"b": [2]}, 30)
    assert redis_cache.get("a") == {"x": 1}
    assert redis_cache.get_many(["a", "b", "c"]) == {"a": {"x": 1}, "b": [2]}
    assert redis_cache._cache.get_client() is client


def test_a_redis_that_is_down_still_raises_as_django_s_cache_does(settings):
    """The outage handling (appointments.outage) relies on the error reaching it."""
    settings.CACHES = {
        **settings.CACHES,
        "down": {"BACKEND": REDIS_CACHE, "LOCATION": f"redis://127.0.0.1:{free_port()}/0"},
    }
    from redis.exceptions import ConnectionError as RedisConnectionError

    with pytest.raises(RedisConnectionError):
        caches["down"].get("a")
    with pytest.raises(RedisConnectionError):
        caches["down"].get("a")  # the shared client reconnects, it does not keep a dead socket
