"""The API's content negotiation: what every client sends skips DRF's Accept parsing; anything
else is negotiated by DRF as before (406 for a type the API cannot write)."""

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from appointments.api.negotiation import ContentNegotiation

ACCEPTS = (
    None,
    "*/*",
    "application/json",
    "application/*",
    "application/json; indent=4",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "application/json, text/plain, */*",
)


def _request(accept, query=""):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    return Request(APIRequestFactory().get(f"/api/v1/services/{query}", **headers))


@pytest.mark.parametrize("accept", ACCEPTS)
def test_the_choice_is_drfs_own(accept):
    renderers = [JSONRenderer()]
    ours = ContentNegotiation().select_renderer(_request(accept), renderers)
    drf = DefaultContentNegotiation().select_renderer(_request(accept), renderers)
    assert (type(ours[0]), ours[1]) == (type(drf[0]), drf[1])


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_what_every_client_sends_is_not_parsed(accept, monkeypatch):
    def parse(*args):
        raise AssertionError("the Accept header was parsed")

    monkeypatch.setattr(ContentNegotiation, "_get_parsed_accept_list", parse)
    _renderer, media_type = ContentNegotiation().select_renderer(_request(accept), [JSONRenderer()])
    assert media_type == "application/json"


@pytest.mark.django_db
def test_an_unacceptable_type_or_format_is_still_refused(api):
    xml = api.get("/api/v1/services/", HTTP_ACCEPT="application/xml")
    assert xml.status_code == 406 and xml.json()["code"] == "not_acceptable"
    assert api.get("/api/v1/services/?format=xml").status_code == 404
    assert api.get("/api/v1/services/?format=json").status_code == 200
    assert api.get("/api/v1/services/", HTTP_ACCEPT="*/*")["Content-Type"] == "application/json"
