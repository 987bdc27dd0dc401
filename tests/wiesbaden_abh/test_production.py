"""Production as docker-compose.yml runs it: the web service's own environment passes
`check --deploy` without a warning, cookies are Secure whenever DEBUG is off, and the proxy
settings are validated at start-up."""

import json
import re

import yaml

from tests.wiesbaden_abh.test_settings import ROOT, STRONG_KEY, run_with

COMPOSE = ROOT / "docker-compose.yml"
# Values for the variables compose requires (${VAR:?message}); everything else takes the
# file's own default (${VAR:-default}), as `docker compose up` with an empty .env would.
REQUIRED = {"SECRET_KEY": STRONG_KEY}
VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")

PRINT_COOKIES = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'session': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE, "
    "'proxies': s.TRUSTED_PROXIES}))"
)


def _substitute(value):
    def replace(match):
        name, kind, default = match.groups()
        if kind and kind.endswith("?"):
            assert name in REQUIRED, f"compose requires {name}: give the test a value for it"
            return REQUIRED[name]
        return default or ""

    return VARIABLE.sub(replace, str(value))


def compose_web_environment():
    """The web service's environment (x-app-env) with compose's interpolation applied."""
    web = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]["web"]
    return {key: _substitute(value) for key, value in web["environment"].items()}


def test_the_compose_environment_is_production_behind_the_proxy():
    env = compose_web_environment()
    assert env["DEBUG"] == "off"
    assert env["SECRET_KEY"] == STRONG_KEY
    assert env["TRUSTED_PROXIES"] == "172.28.0.0/16"


def test_deploy_checks_are_clean_with_the_compose_environment():
    # The hosts postgres and redis do not exist here; `check` (without --database) opens no
    # connection to either, so the compose URLs are used unchanged.
    result = run_with(
        compose_web_environment(),
        args=["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_cookies_are_secure_whenever_debug_is_off_even_without_the_ssl_redirect():
    for redirect in ("on", "off"):
        result = run_with(
            {"DEBUG": "off", "SECRET_KEY": STRONG_KEY, "SECURE_SSL_REDIRECT": redirect},
            code=PRINT_COOKIES,
        )
        assert result.returncode == 0, result.stderr
        values = json.loads(result.stdout)
        assert (values["session"], values["csrf"]) == (True, True), redirect


def test_trusted_proxies_are_parsed_as_networks():
    result = run_with(
        {"TRUSTED_PROXIES": "127.0.0.1, 172.16.0.0/12,2001:db8::/32"}, code=PRINT_COOKIES
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["proxies"] == [
        "127.0.0.1/32",
        "172.16.0.0/12",
        "2001:db8::/32",
    ]


def test_a_malformed_trusted_proxy_is_refused_with_the_setting_name():
    result = run_with({"TRUSTED_PROXIES": "127.0.0.1,proxy.example"}, code=PRINT_COOKIES)
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr and "proxy.example" in result.stderr


def test_the_old_use_x_forwarded_for_switch_is_refused_with_a_pointer_to_trusted_proxies():
    result = run_with({"USE_X_FORWARDED_FOR": "on"}, code=PRINT_COOKIES)
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr
    assert run_with({"USE_X_FORWARDED_FOR": "off"}, code=PRINT_COOKIES).returncode == 0
