"""The client address behind trusted proxies (TRUSTED_PROXIES): the right-most X-Forwarded-For
hop that is not a trusted proxy, and only when REMOTE_ADDR itself is one."""

import pytest
from django.test import RequestFactory

from appointments.protection import client_ip

PROXY = "172.28.0.5"


def ip(settings, remote, forwarded=None, trusted=("172.28.0.0/16",)):
    settings.TRUSTED_PROXIES = list(trusted)
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    assert ip(settings, "203.0.113.7", "198.51.100.1", trusted=()) == "203.0.113.7"
    assert ip(settings, PROXY, "198.51.100.1", trusted=()) == PROXY


def test_behind_the_trusted_proxy_the_client_is_the_hop_it_appended(settings):
    assert ip(settings, PROXY, "203.0.113.7") == "203.0.113.7"


def test_a_spoofed_header_from_an_untrusted_client_is_ignored(settings):
    assert ip(settings, "203.0.113.7", "198.51.100.99") == "203.0.113.7"
    assert ip(settings, "203.0.113.7", f"{PROXY}, 10.0.0.1") == "203.0.113.7"


def test_hops_the_client_put_in_front_are_not_believed(settings):
    # The client sent "X-Forwarded-For: 1.2.3.4"; our proxy appended the real peer address.
    assert ip(settings, PROXY, "1.2.3.4, 203.0.113.7") == "203.0.113.7"


def test_several_trusted_proxies_are_skipped_from_the_right(settings):
    trusted = ("172.28.0.0/16", "10.1.2.3")
    forwarded = "1.2.3.4, 203.0.113.7, 10.1.2.3, 172.28.0.9"
    assert ip(settings, PROXY, forwarded, trusted=trusted) == "203.0.113.7"


def test_a_proxy_outside_the_trusted_networks_is_itself_the_client(settings):
    # 10.9.9.9 is not trusted: whatever it claims is not believed.
    assert ip(settings, PROXY, "1.2.3.4, 10.9.9.9") == "10.9.9.9"


def test_when_every_hop_is_trusted_the_farthest_one_counts(settings):
    assert ip(settings, PROXY, "172.28.0.7, 172.28.0.6") == "172.28.0.7"
    assert ip(settings, PROXY) == PROXY
    assert ip(settings, PROXY, "") == PROXY


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("2001:db8:1::5", "2001:db8:ffff::1", ("2001:db8:1::/48",), "2001:db8:ffff::1"),
        ("2001:db8:1::5", "[2001:db8:ffff::1]:4431", ("2001:db8:1::/48",), "2001:db8:ffff::1"),
        ("2001:db8:2::5", "2001:db8:ffff::1", ("2001:db8:1::/48",), "2001:db8:2::5"),
        ("::1", "203.0.113.7", ("::1",), "203.0.113.7"),
        # IPv4-mapped IPv6 (a dual-stack socket) counts as the IPv4 address.
        ("::ffff:172.28.0.5", "::ffff:203.0.113.7", ("172.28.0.0/16",), "203.0.113.7"),
        ("127.0.0.1", "203.0.113.7:51000", ("127.0.0.1/32",), "203.0.113.7"),
        # Mixed families in one list.
        ("127.0.0.1", "2001:db8::7, 10.0.0.2", ("127.0.0.0/8", "10.0.0.0/8"), "2001:db8::7"),
    ],
    ids=["ipv6", "ipv6-port", "ipv6-untrusted", "ipv6-loopback", "mapped", "ipv4-port", "mixed"],
)
def test_ipv6_cidr_and_ports(settings, remote, forwarded, trusted, expected):
    assert ip(settings, remote, forwarded, trusted=trusted) == expected


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("not-an-address", PROXY),
        ("203.0.113.7, <script>", PROXY),  # garbage right of the client: trust stops there
        ("<script>, 203.0.113.7", "203.0.113.7"),
        ("203.0.113.7,,", "203.0.113.7"),
        ("999.1.1.1", PROXY),
        ("x" * 5000, PROXY),
        ("unknown, 203.0.113.7", "203.0.113.7"),
        ("\u0661\u0662.0.0.1", PROXY),
    ],
    ids=[
        "word",
        "garbage-right",
        "garbage-left",
        "empty-hops",
        "octet",
        "long",
        "unknown",
        "digits",
    ],
)
def test_malformed_hops_never_raise_and_never_mint_new_identities(settings, forwarded, expected):
    assert ip(settings, PROXY, forwarded) == expected


def test_a_missing_or_odd_remote_addr_is_returned_as_is(settings):
    assert ip(settings, "", "203.0.113.7") == ""
    assert ip(settings, "unix:/run/gunicorn.sock", "203.0.113.7") == "unix:/run/gunicorn.sock"
