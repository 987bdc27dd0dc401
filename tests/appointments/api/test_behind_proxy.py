"""Behind the TLS proxy of docker-compose.yml: the rate limits see each resident's own address
(TRUSTED_PROXIES), and a client cannot escape them with a forged X-Forwarded-For."""

import pytest

from appointments.models import Appointment
from tests.appointments.api.helpers import booking_payload
from tests.factories import bookable_slot

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings/"
PROXY = "172.28.0.5"


@pytest.fixture
def behind_proxy(settings):
    settings.RATE_LIMITS = True
    settings.RATE_LIMIT_HOLDS_PER_IP_HOUR = 10
    settings.RATE_LIMIT_HOLDS_PER_EMAIL_DAY = 5
    settings.TRUSTED_PROXIES = ["172.28.0.0/16"]


def hold(api, service, slot, n, **meta):
    return api.post(BOOKINGS, booking_payload(service, slot, n), format="json", **meta)


def test_twelve_residents_from_twelve_addresses_behind_the_proxy_each_hold_a_place(
    api, behind_proxy
):
    service, _team, slot = bookable_slot(capacity=12)

    statuses = [
        hold(
            api, service, slot, n, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}"
        ).status_code
        for n in range(12)
    ]

    assert statuses == [201] * 12
    assert Appointment.objects.count() == 12


def test_a_client_behind_the_proxy_cannot_escape_the_limit_with_forged_hops(api, behind_proxy):
    service, _team, slot = bookable_slot(capacity=12)

    # The client sends its own X-Forwarded-For; the proxy appends the real peer address.
    statuses = [
        hold(
            api,
            service,
            slot,
            n,
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"10.0.{n}.1, 203.0.113.66",
        ).status_code
        for n in range(12)
    ]

    assert statuses == [201] * 10 + [429] * 2
    assert Appointment.objects.count() == 10


def test_a_direct_client_forging_the_header_is_limited_by_its_own_address(api, behind_proxy):
    service, _team, slot = bookable_slot(capacity=12)

    statuses = [
        hold(
            api,
            service,
            slot,
            n,
            REMOTE_ADDR="203.0.113.66",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}",
        ).status_code
        for n in range(12)
    ]

    assert statuses == [201] * 10 + [429] * 2
