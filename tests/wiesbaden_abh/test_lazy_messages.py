"""Messages: the storage is opened only by a request that uses it; messages still reach the
next page that shows them, also across requests that never looked."""

import pytest
from django.contrib import messages
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import empty

from wiesbaden_abh.messages import MessageMiddleware

pytestmark = pytest.mark.django_db


def test_a_request_that_shows_no_message_does_not_open_the_storage():
    request = RequestFactory().get("/api/v1/services/")
    middleware = MessageMiddleware(lambda request: HttpResponse("ok"))
    response = middleware(request)
    assert response.status_code == 200
    assert request._messages._wrapped is empty
    assert "messages" not in response.cookies


def _get(path, cookie=None):
    request = RequestFactory().get(path)
    request.session = SessionStore()
    if cookie is not None:
        request.COOKIES["messages"] = cookie
    return request


def test_a_message_waits_through_requests_that_do_not_show_it_and_is_shown_once():
    request = _get("/de/")

    def view(request):
        messages.success(request, "Gespeichert.")
        return HttpResponse("ok")

    response = MessageMiddleware(view)(request)
    cookie = response.cookies["messages"].value
    assert cookie

    between = _get("/api/v1/services/", cookie)
    untouched = MessageMiddleware(lambda request: HttpResponse("{}"))(between)
    assert "messages" not in untouched.cookies  # kept in the browser as it was

    later = _get("/de/", cookie)
    shown = []

    def show(request):
        shown.extend(str(m) for m in messages.get_messages(request))
        return HttpResponse("shown")

    response = MessageMiddleware(show)(later)
    assert shown == ["Gespeichert."]
    assert response.cookies["messages"].value == ""  # shown: deleted
