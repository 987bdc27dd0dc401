"""Answers shared between visitors (issue 18): the availability API's JSON bytes and the
wizard's calendar, rendered once per state of the free times, and the page parts drawn once
per language. What belongs to one visitor (the CSRF token, the language, the surname, the
links of the answer) is never served to another, and a booking still changes the next answer."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from appointments import booking
from tests.factories import bookable_slot, person

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _no_challenge(settings):
    settings.BOOKING_CHALLENGE = False


def visitor(service, language, surname):
    """A browser that has entered its surname in `language` (CSRF checks on, as in real use)."""
    browser = Client(enforce_csrf_checks=True)
    start = f"/{language}/buchen/{service.slug}/"
    token = TOKEN.search(browser.get(start).content.decode()).group(1)
    answer = browser.post(
        start, {"surname": surname, "nationality": "TR", "csrfmiddlewaretoken": token}
    )
    assert answer.status_code == 302
    return browser


def calendar_tokens(page):
    """The CSRF tokens of the calendar's form (the page's last form; the first is the
    language choice)."""
    return TOKEN.findall(page)[1:]


def test_a_shared_calendar_carries_each_visitors_own_token_language_and_surname():
    service, team, slot = bookable_slot(capacity=2)
    bookable_slot(service=service, team=team, hour=11)
    day = timezone.localdate(slot.start)
    first = visitor(service, "de", "Kaya")
    second = visitor(service, "en", "Novak")
    third = visitor(service, "de", "Weber")
    pages = {
        name: browser.get(f"/{lang}/buchen/{service.slug}/zeit/?day={day}").content.decode()
        for name, browser, lang in (
            ("first", first, "de"),
            ("second", second, "en"),
            ("third", third, "de"),
        )
    }
    # The same free times for all, each in its own language, with its own surname.
    assert f'value="{slot.pk}"' in pages["first"] and f'value="{slot.pk}"' in pages["second"]
    assert "Freie Termine am" in pages["first"] and "Free times on" in pages["second"]
    assert "Free times on" not in pages["third"] and "Kaya" not in pages["third"]
    assert 'value="en" lang="en" selected' in pages["second"]
    assert 'value="de" lang="de" selected' in pages["third"]
    # Each form's token is its visitor's: it is accepted from them and refused from another.
    tokens = {name: calendar_tokens(page) for name, page in pages.items()}
    assert all(len(found) == 1 for found in tokens.values())
    assert tokens["first"] != tokens["third"]
    path = f"/de/buchen/{service.slug}/zeit/"
    refused = third.post(path, {"slot": slot.pk, "csrfmiddlewaretoken": tokens["first"][0]})
    assert refused.status_code == 403
    taken = third.post(path, {"slot": slot.pk, "csrfmiddlewaretoken": tokens["third"][0]})
    assert taken.status_code == 302 and taken["Location"].endswith("/daten/")


def test_a_booking_changes_the_shared_calendar_of_every_visitor():
    service, _team, slot = bookable_slot(capacity=1)
    day = timezone.localdate(slot.start)
    first, second = visitor(service, "de", "Kaya"), visitor(service, "de", "Novak")
    page = f"/de/buchen/{service.slug}/zeit/?day={day}"
    assert f'value="{slot.pk}"' in first.get(page).content.decode()
    assert f'value="{slot.pk}"' in second.get(page).content.decode()
    booking.book(service=service, slot_id=slot.pk, person=person(1), channel="staff")
    assert f'value="{slot.pk}"' not in second.get(page).content.decode()


def test_the_cached_json_is_the_same_answer_and_its_links_are_the_askers(api):
    service, team, slot = bookable_slot()
    for hour in range(11, 14):
        bookable_slot(service=service, team=team, hour=hour)
    url = f"/api/v1/services/{service.slug}/slots/?page_size=2"
    cold = api.get(url)
    warm = api.get(url)
    assert warm.content == cold.content and warm["Content-Type"] == "application/json"
    assert warm["ETag"] == cold["ETag"]
    assert cold.json()["next"] == f"http://testserver{url.split('?')[0]}?page=2&page_size=2"
    other = api.get(url, HTTP_HOST="localhost")
    assert other.json()["next"].startswith("http://localhost/")
    second_page = api.get(f"{url}&page=2").json()
    assert [row["id"] for row in second_page["results"]] != [
        row["id"] for row in cold.json()["results"]
    ]
    booking.book(service=service, slot_id=slot.pk, person=person(1), channel="staff")
    booking.book(service=service, slot_id=slot.pk, person=person(2), channel="staff")
    booking.book(service=service, slot_id=slot.pk, person=person(3), channel="staff")
    after = api.get(url)
    assert after.json()["count"] == cold.json()["count"] - 1
    assert after["ETag"] != cold["ETag"]


def test_answers_to_made_up_parameters_are_right_but_never_kept(api, monkeypatch):
    from appointments import availability_cache

    service, _team, _slot = bookable_slot()
    url = f"/api/v1/services/{service.slug}/slots/"
    kept = api.get(url).content
    stored, store = [], availability_cache._store
    monkeypatch.setattr(
        availability_cache, "_store", lambda key, value: (stored.append(key), store(key, value))
    )
    for n in range(5):
        made_up = api.get(f"{url}?fill{n}=x")
        assert made_up.status_code == 200 and made_up.json()["count"] == 1
        assert api.get(url).content == kept
    assert stored == []  # neither the made-up answers nor the known one were stored again


def test_a_calendar_page_shown_before_asks_the_cache_once_and_masks_one_token(monkeypatch):
    """The free times and the rendered calendar come back in one round trip to the cache, and
    the calendar's form and the page's language form carry the same masked token."""
    from django.core.cache import cache
    from django.middleware import csrf

    service, _team, slot = bookable_slot(capacity=2)
    day = timezone.localdate(slot.start)
    browser = visitor(service, "de", "Kaya")
    page = f"/de/buchen/{service.slug}/zeit/?day={day}"
    assert f'value="{slot.pk}"' in browser.get(page).content.decode()  # rendered and kept

    lookups, maskings = [], []
    get_many, mask = cache.get_many, csrf._mask_cipher_secret
    monkeypatch.setattr(cache, "get_many", lambda keys: (lookups.append(keys), get_many(keys))[1])
    monkeypatch.setattr(csrf, "_mask_cipher_secret", lambda s: (maskings.append(s), mask(s))[1])
    again = browser.get(page).content.decode()

    assert f'value="{slot.pk}"' in again and "Kaya" in again
    assert len(lookups) == 1 and len(maskings) == 1
    assert len(set(TOKEN.findall(again))) == 1
