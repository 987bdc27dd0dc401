"""The CSP middleware builds the common policy once per process and otherwise behaves as
django-csp's: nonces, per-view changes, exemptions and changed settings."""

import pytest
from csp import middleware as csp_middleware
from csp.constants import SELF
from csp.decorators import csp_exempt, csp_update
from csp.exceptions import CSPNonceError
from django.http import HttpResponse
from django.test import RequestFactory

from wiesbaden_abh import headers


def plain(request):
    return HttpResponse("ok")


def with_nonce(request):
    return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")


@csp_update({"img-src": ["https://maps.example.test"]})
def updated(request):
    return HttpResponse("map")


@csp_exempt()
def exempt(request):
    return HttpResponse("exempt")


def answer(view, middleware_class=headers.CSPMiddleware, path="/de/"):
    request = RequestFactory().get(path)
    middleware = middleware_class(view)
    return request, middleware(request)


def policy(response):
    return {
        name: values
        for name, *values in (p.split() for p in response["Content-Security-Policy"].split(";"))
    }


@pytest.fixture(autouse=True)
def _fresh():
    headers.common_policies.cache_clear()
    yield
    headers.common_policies.cache_clear()


def test_the_common_policy_is_built_once_and_equals_django_csps():
    for _ in range(3):
        _request, ours = answer(plain)
    _request, theirs = answer(plain, csp_middleware.CSPMiddleware)
    assert headers.common_policies.cache_info().misses == 1
    assert policy(ours) == policy(theirs)
    assert "'nonce-" not in ours["Content-Security-Policy"]


def test_a_page_that_used_its_nonce_gets_it_in_the_policy():
    request, response = answer(with_nonce)
    nonce = str(request.csp_nonce)
    assert f"'nonce-{nonce}'" in policy(response)["script-src"]
    assert nonce in response.content.decode()
    _request, other = answer(with_nonce)
    assert policy(other)["script-src"] != policy(response)["script-src"]  # one nonce per page


def test_per_view_changes_and_exemptions_are_kept():
    _request, response = answer(updated)
    assert "https://maps.example.test" in policy(response)["img-src"]
    _request, response = answer(exempt)
    assert "Content-Security-Policy" not in response
    _request, response = answer(plain)  # the common policy is not touched by either
    assert "https://maps.example.test" not in policy(response)["img-src"]


def test_a_changed_setting_changes_the_policy(settings):
    _request, before = answer(plain)
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [SELF], "img-src": ["*"]}}
    _request, after = answer(plain)
    assert policy(before)["img-src"] != policy(after)["img-src"] == ["*"]
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": [SELF]}}
    _request, reported = answer(plain)
    assert reported["Content-Security-Policy-Report-Only"] == "default-src 'self'"


def test_excluded_prefixes_and_a_header_the_view_set_are_respected(settings):
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "EXCLUDE_URL_PREFIXES": ["/metrics"],
    }
    _request, response = answer(plain, path="/metrics")
    assert "Content-Security-Policy" not in response

    def own(request):
        response = HttpResponse("own")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    _request, response = answer(own)
    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_a_nonce_asked_for_after_the_header_was_written_is_an_error():
    request, _response = answer(plain)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
