"""The ALTCHA booking challenge: issuing, verifying once, refusing everything else."""

import base64
import datetime
import json
import re
import threading

import altcha
import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from appointments import protection

pytestmark = pytest.mark.urls("tests.browser.challenge_urls")


@pytest.fixture(autouse=True)
def small_work(settings):
    # Solving in Python stays fast; the browser test runs with the real default.
    settings.BOOKING_CHALLENGE_MAX_NUMBER = 2000
    settings.BOOKING_CHALLENGE_HMAC_KEY = "test-hmac-key"


@pytest.fixture(autouse=True)
def empty_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def solve(data):
    """The payload the widget would submit for the challenge data `data`."""
    issued = altcha.Challenge.from_dict(data)
    solution = altcha.solve_challenge(issued)
    assert solution is not None
    return altcha.Payload(issued, solution).to_base64()


def decode(payload):
    return json.loads(base64.b64decode(payload))


def encode(data):
    return base64.b64encode(json.dumps(data).encode()).decode()


@pytest.fixture
def payload():
    return solve(protection.new_challenge())


# --- verification -------------------------------------------------------------------------


def test_solved_challenge_is_accepted(payload):
    assert protection.verify_challenge(payload) is True


def test_same_solution_is_refused_the_second_time(payload):
    assert protection.verify_challenge(payload) is True
    assert protection.verify_challenge(payload) is False


def test_replay_is_refused_even_when_the_payload_is_encoded_differently(payload):
    assert protection.verify_challenge(payload) is True
    reencoded = base64.b64encode(json.dumps(decode(payload), indent=2).encode()).decode()
    assert reencoded != payload
    assert protection.verify_challenge(reencoded) is False


def test_concurrent_submissions_of_one_solution_let_exactly_one_through(payload):
    barrier = threading.Barrier(8)
    results = []

    def submit():
        barrier.wait()
        results.append(protection.verify_challenge(payload))

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_two_different_solved_challenges_are_both_accepted():
    first, second = solve(protection.new_challenge()), solve(protection.new_challenge())
    assert protection.verify_challenge(first) is True
    assert protection.verify_challenge(second) is True


def test_wrong_solution_is_refused(payload):
    data = decode(payload)
    data["solution"]["counter"] += 1
    assert protection.verify_challenge(encode(data)) is False
    data = decode(payload)
    data["solution"]["derivedKey"] = "00" * 32
    assert protection.verify_challenge(encode(data)) is False


def test_tampered_challenge_parameters_are_refused(payload):
    data = decode(payload)
    # A cheaper challenge: the derived key only has to start with one character.
    data["challenge"]["parameters"]["keyPrefix"] = data["solution"]["derivedKey"][:1]
    assert protection.verify_challenge(encode(data)) is False
    data = decode(payload)
    data["challenge"]["parameters"]["expiresAt"] += 3600
    assert protection.verify_challenge(encode(data)) is False


def test_challenge_signed_with_another_key_is_refused(settings):
    settings.BOOKING_CHALLENGE_HMAC_KEY = "someone-elses-key"
    foreign = solve(protection.new_challenge())
    settings.BOOKING_CHALLENGE_HMAC_KEY = "test-hmac-key"
    assert protection.verify_challenge(foreign) is False


def test_unsigned_challenge_is_refused(payload):
    data = decode(payload)
    del data["challenge"]["signature"]
    assert protection.verify_challenge(encode(data)) is False


def test_solution_is_accepted_until_the_challenge_expires_ten_minutes_after_issue():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        data = protection.new_challenge()
        payload = solve(data)
        traveller.shift(datetime.timedelta(minutes=9, seconds=59))
        assert protection.verify_challenge(payload) is True


def test_expired_solution_is_refused():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        payload = solve(protection.new_challenge())
        traveller.shift(datetime.timedelta(minutes=10, seconds=1))
        assert protection.verify_challenge(payload) is False


def test_used_solution_stays_refused_until_it_expires():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        payload = solve(protection.new_challenge())
        assert protection.verify_challenge(payload) is True
        traveller.shift(datetime.timedelta(minutes=9, seconds=50))
        assert protection.verify_challenge(payload) is False


def deeply_nested():
    return base64.b64encode(b"[" * 1200 + b"]" * 1200).decode()


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "garbage",
        "not base64 at all!",
        "äöü",
        "A" * 100_000,
        base64.b64encode(b"\xff\xfe\x00 not utf-8").decode(),
        base64.b64encode(b"not json").decode(),
        encode(None),
        encode([]),
        encode("a string"),
        encode({}),
        encode({"challenge": "x", "solution": 1}),
        encode({"challenge": {"parameters": [], "signature": "x"}, "solution": {}}),
        encode({"challenge": {"parameters": {}, "signature": 5}, "solution": {}}),
        encode({"challenge": {"parameters": {"expiresAt": 1}}, "solution": {}}),
        deeply_nested(),
        None,
        123,
        b"bytes",
    ],
    ids=lambda value: repr(value)[:40],
)
def test_malformed_payload_is_refused_without_an_exception(garbage):
    assert protection.verify_challenge(garbage) is False


@pytest.mark.parametrize(
    ("section", "field", "value"),
    [
        ("solution", "counter", "17"),
        ("solution", "counter", 1.5),
        ("solution", "counter", -1),
        ("solution", "counter", None),
        ("solution", "derivedKey", 12345),
        ("solution", "derivedKey", "zz"),
        ("parameters", "expiresAt", "2099-01-01"),
        ("parameters", "expiresAt", None),
        ("parameters", "nonce", ["not", "hex"]),
        ("parameters", "cost", "1"),
        ("parameters", "algorithm", {"name": "SHA-256"}),
        ("challenge", "signature", ["a"]),
    ],
)
def test_solved_payload_with_a_field_of_the_wrong_type_is_refused(payload, section, field, value):
    data = decode(payload)
    target = {
        "solution": data["solution"],
        "parameters": data["challenge"]["parameters"],
        "challenge": data["challenge"],
    }[section]
    target[field] = value
    assert protection.verify_challenge(encode(data)) is False
    # The untouched payload is still good: the refusal came from the changed field.
    assert protection.verify_challenge(payload) is True


def test_payload_with_a_missing_solution_field_is_refused(payload):
    data = decode(payload)
    del data["solution"]["counter"]
    assert protection.verify_challenge(encode(data)) is False


# --- issuing ------------------------------------------------------------------------------


def test_challenge_needs_at_most_max_number_attempts(settings):
    settings.BOOKING_CHALLENGE_MAX_NUMBER = 40
    counters = {
        altcha.solve_challenge(altcha.Challenge.from_dict(protection.new_challenge())).counter
        for _ in range(30)
    }
    assert max(counters) <= 40
    # The counter is drawn at random, not fixed.
    assert len(counters) > 1


def test_challenge_expires_ten_minutes_after_issue():
    with time_machine.travel(timezone.now(), tick=False):
        data = protection.new_challenge()
        expected = int((timezone.now() + datetime.timedelta(minutes=10)).timestamp())
    assert data["parameters"]["expiresAt"] == expected


def test_enabled_follows_the_setting(settings):
    settings.BOOKING_CHALLENGE = True
    assert protection.challenge_enabled() is True
    settings.BOOKING_CHALLENGE = False
    assert protection.challenge_enabled() is False


# --- view ---------------------------------------------------------------------------------


def test_challenge_view_returns_a_fresh_uncacheable_challenge(client):
    url = reverse("appointments:challenge")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {"parameters", "signature"}
    assert {"algorithm", "nonce", "salt", "cost", "keyPrefix", "expiresAt"} <= set(
        data["parameters"]
    )
    cache_control = response["Cache-Control"]
    assert "no-cache" in cache_control
    assert "no-store" in cache_control
    assert client.get(url).json()["parameters"]["nonce"] != data["parameters"]["nonce"]


def test_challenge_from_the_view_verifies_once_solved(client):
    data = client.get(reverse("appointments:challenge")).json()
    assert protection.verify_challenge(solve(data)) is True


def test_challenge_view_refuses_post(client):
    assert client.post(reverse("appointments:challenge")).status_code == 405


# --- template -----------------------------------------------------------------------------


def render_partial(enabled, language="de"):
    request = RequestFactory().get("/")
    with translation.override(language):
        return render_to_string(
            "appointments/partials/challenge.html", {"challenge_enabled": enabled}, request
        )


@pytest.mark.parametrize("language", ["de", "en", "tr", "ar", "ru", "uk"])
def test_partial_loads_the_widget_in_the_page_language(settings, language):
    assert language in dict(settings.LANGUAGES)
    with translation.override(language):
        challenge_url = reverse("appointments:challenge")
    html = render_partial(True, language)
    assert f'challenge="{challenge_url}"' in html
    assert 'name="altcha"' in html
    assert f'language="{language}"' in html
    assert f"vendor/altcha/i18n/{language}.js" in html
    assert finders.find(f"vendor/altcha/i18n/{language}.js")
    assert "<noscript>" in html


def test_partial_loads_only_vendored_scripts_as_modules(settings):
    html = render_partial(True)
    for path in (
        "vendor/altcha/altcha.min.js",
        "vendor/altcha/altcha-workers.js",
        "vendor/altcha/workers/sha.js",
        "vendor/altcha/altcha.css",
    ):
        assert path in html
        assert finders.find(path)
    assert html.count('<script type="module" src="/static/vendor/altcha/') == 3
    assert "<script>" not in html
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert "http" not in html


def test_every_project_language_has_a_vendored_widget_translation(settings):
    for code, _name in settings.LANGUAGES:
        assert finders.find(f"vendor/altcha/i18n/{code}.js"), code


def test_partial_renders_only_a_comment_when_the_challenge_is_off():
    html = render_partial(False).strip()
    assert html.startswith("<!--")
    assert html.endswith("-->")
    assert "<altcha-widget" not in html
    assert "<input" not in html
    assert "<script" not in html
