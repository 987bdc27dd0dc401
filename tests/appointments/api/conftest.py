"""Every API test runs as CI's schema runs do: no challenge, no rate limits."""

import pytest


@pytest.fixture(autouse=True)
def _protections_off(protections_off):
    """Tests that need a protection switch it on themselves."""
