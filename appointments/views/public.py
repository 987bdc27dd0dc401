"""Public pages: the start page with all concerns, and the privacy notice."""

from django.shortcuts import render
from django.utils import timezone

from ..availability import next_release
from ..selectors import bookable_services


def home(request):
    now = timezone.now()
    services = list(bookable_services())
    for service in services:
        service.next_release_at, service.next_release_day = next_release(service, now=now)
    return render(request, "appointments/home.html", {"services": services})


def privacy(request):
    return render(request, "appointments/privacy.html")
