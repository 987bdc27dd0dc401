"""What a phone on a slow line fetches for each booking step: the stylesheets and scripts of
the start, calendar, details and held pages, compressed as whitenoise serves them, stay within
a budget (at 400 kbit/s every 10 KB costs a fifth of a second), and no page loads a script
it does not use. benchmarks/slow_phone_benchmark.py measures the same steps in chromium."""

import re

import brotli
import pytest
from django.contrib.staticfiles import finders

from tests.factories import bookable_slot

from .test_resident_views import PERSON_FORM

pytestmark = pytest.mark.django_db

# Bootstrap's stylesheet (23 KB in Brotli) plus our own small files.
BUDGET_BYTES = 30_000
ASSET = re.compile(r'<(?:script|link)\b[^>]*?(?:src|href)="/static/([^"?#]+)"[^>]*>')


def assets(content):
    """(path, bytes in Brotli) of each static stylesheet and script the page refers to."""
    found = []
    for path in ASSET.findall(content):
        if path.endswith((".css", ".js")):
            located = finders.find(path)
            assert located, path
            with open(located, "rb") as file:
                found.append((path, len(brotli.compress(file.read()))))
    return found


def booking_steps(client, language):
    """The HTML of the four booking steps as a resident walks them in `language`."""
    service, _team, slot = bookable_slot(capacity=3)
    base = f"/{language}/buchen/{service.slug}/"
    pages = {"start": client.get(base)}
    client.post(base, {"surname": "Haddad", "nationality": "SY"})
    pages["calendar"] = client.get(f"{base}zeit/")
    client.post(f"{base}zeit/", {"slot": slot.pk})
    pages["details"] = client.get(f"{base}daten/")
    held = client.post(f"{base}daten/", PERSON_FORM)
    assert held.status_code == 302, held.content.decode()[:500]
    pages["held"] = client.get(held["Location"])
    for step, response in pages.items():
        assert response.status_code == 200, step
    return {step: response.content.decode() for step, response in pages.items()}


@pytest.mark.parametrize("language", ["de", "ar"])
def test_each_booking_step_stays_within_its_asset_budget(client, settings, language):
    settings.BOOKING_CHALLENGE = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for step, content in booking_steps(client, language).items():
        loaded = assets(content)
        total = sum(size for _path, size in loaded)
        assert total <= BUDGET_BYTES, (step, total, loaded)


def test_no_resident_page_loads_bootstraps_unused_script(client, settings):
    """No template uses Bootstrap's JavaScript components (data-bs-*), so its 80 KB bundle
    would only cost a slow phone time."""
    settings.BOOKING_CHALLENGE = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for step, content in booking_steps(client, "de").items():
        assert "data-bs-" not in content, step
        assert not [
            path for path, _size in assets(content) if "bootstrap" in path and ".js" in path
        ]
