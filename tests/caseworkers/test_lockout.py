"""Login lockout against password spraying (many usernames from one address) and with the
real client address behind the proxy: nobody locks a colleague out from elsewhere."""

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "172.28.0.5"


def login(client, username, password, **meta):
    return client.post("/backoffice/login/", {"username": username, "password": password}, **meta)


def test_wrong_passwords_for_twenty_usernames_from_one_address_lock_that_address(
    client, settings, supervisor_user
):
    assert settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS == 20
    statuses = [
        login(client, f"user{n}", "Sommer2026!", REMOTE_ADDR="10.0.0.9").status_code
        for n in range(20)
    ]

    assert statuses[:19] == [200] * 19  # each username failed once: per-user limit far away
    assert statuses[19] == 429
    # Further guesses, even the right password of a real account, are refused from there ...
    assert login(client, "user99", "x", REMOTE_ADDR="10.0.0.9").status_code == 429
    assert login(client, "teamleitung", PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 429
    # ... while the account itself stays usable from elsewhere.
    assert login(client, "teamleitung", PASSWORD, REMOTE_ADDR="10.0.0.10").status_code == 302


def test_a_few_typos_of_several_colleagues_at_one_address_lock_nobody(
    client, settings, supervisor_user
):
    for n in range(6):
        for _ in range(settings.AXES_FAILURE_LIMIT - 2):
            login(client, f"colleague{n}", "typo", REMOTE_ADDR="10.0.0.9")
    assert login(client, "teamleitung", PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_behind_the_proxy_failures_count_for_the_real_client_only(
    client, settings, supervisor_user
):
    settings.TRUSTED_PROXIES = ["172.28.0.0/16"]
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    colleague = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.20"}

    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "teamleitung", "wrong", **attacker)

    assert login(client, "teamleitung", PASSWORD, **attacker).status_code == 429
    assert login(client, "teamleitung", PASSWORD, **colleague).status_code == 302


USER_LOCKED = "logins for this user from this device are paused"
ADDRESS_LOCKED = "every login from this device (whatever the user) is paused"


def test_the_lockout_page_says_the_whole_address_is_locked_after_password_spraying(
    client, settings
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for n in range(20):
        response = login(client, f"user{n}", "Sommer2026!", REMOTE_ADDR="10.0.0.9")
    again = login(client, "someone", "x", REMOTE_ADDR="10.0.0.9")

    for page in (response, again):
        content = page.content.decode()
        assert page.status_code == 429
        assert "20 wrong passwords came from this device" in content
        assert ADDRESS_LOCKED in content and USER_LOCKED not in content


def test_the_lockout_page_says_only_this_user_is_locked_after_their_own_typos(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = login(client, "colleague", "typo", REMOTE_ADDR="10.0.0.9")

    content = response.content.decode()
    assert response.status_code == 429
    assert USER_LOCKED in content and ADDRESS_LOCKED not in content
