"""Public pages: the start page with all concerns, and the anti-bot challenge."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import protection
from ..availability import next_release
from ..selectors import bookable_services


def home(request):
    now = timezone.now()
    services = list(bookable_services())
    for service in services:
        service.next_release_at, service.next_release_day = next_release(service, now=now)
    return render(request, "appointments/home.html", {"services": services})


@never_cache
@require_GET
def challenge_view(request):
    """A new challenge for the widget; never cached, since each one is accepted only once."""
    return JsonResponse(protection.new_challenge())
