"""Test-only URLs: the challenge endpoint and a bare form that includes the widget partial."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from appointments import protection
from appointments.views.public import challenge_view

PAGE = """{% load i18n %}<!doctype html>{% get_current_language as LANGUAGE_CODE %}
{% get_current_language_bidi as LANGUAGE_BIDI %}
<html lang="{{ LANGUAGE_CODE }}" dir="{% if LANGUAGE_BIDI %}rtl{% else %}ltr{% endif %}">
<head><meta charset="utf-8"><title>Challenge test page</title></head>
<body><main>
<h1>Challenge test page</h1>
<form method="post">{% csrf_token %}
{% include "appointments/partials/challenge.html" %}
<button type="submit">Submit</button>
</form>
</main></body></html>
"""


def challenge_page(request):
    if request.method == "POST":
        return HttpResponse(
            "OK" if protection.verify_challenge(request.POST["altcha"]) else "REFUSED"
        )
    template = engines["django"].from_string(PAGE)
    # The site's own Content-Security-Policy (settings.CONTENT_SECURITY_POLICY) applies.
    return HttpResponse(template.render({"challenge_enabled": True}, request))


patterns = [
    path("challenge/", challenge_view, name="challenge"),
    path("challenge-test/", challenge_page, name="challenge_test"),
]

urlpatterns = [
    # Chromium asks for it; the project's 404 page needs routes this urlconf lacks.
    path("favicon.ico", lambda request: HttpResponse(status=204)),
    *i18n_patterns(path("", include((patterns, "appointments")))),
]
