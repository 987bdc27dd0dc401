"""Fixtures of the resident browser tests."""

import pytest
from django.core.cache import cache

from tests.browser.helpers import PHONE


@pytest.fixture
def resident_site(settings, live_server, page):
    """Mail into django.core.mail.outbox with links to the live server; a fresh cache (rate
    limits, used challenges) for every test; a phone-sized window. Returns the server's URL."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = live_server.url
    settings.BOOKING_CHALLENGE = False
    settings.RATE_LIMITS = True
    cache.clear()
    page.set_viewport_size(PHONE)
    return live_server.url
