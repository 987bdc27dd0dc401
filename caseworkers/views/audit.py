"""The audit log for supervisors: every event, newest first, filtered and paginated.

Reading the log is deliberately not logged itself (it shows codes and ids, no personal data).
"""

import datetime as dt

from django.core.paginator import Paginator
from django.shortcuts import render

from appointments.availability import local_datetime
from appointments.models import Event

from ..forms.audit import AuditFilterForm
from ..permissions import role_required
from ..roles import ADMINISTRATOR, SUPERVISOR

PAGE_SIZE = 50


def _page(request, template, context):
    return render(request, f"caseworkers/supervision/{template}", {"section": "audit", **context})


def events_matching(*, action="", code="", user="", date_from=None, date_to=None):
    """Events, newest first, with their actor's username and booking code in the same query."""
    events = (
        Event.objects.select_related("actor", "appointment")
        .only("action", "at", "data", "actor__username", "appointment__code")
        .order_by("-at", "-pk")
    )
    if action:
        events = events.filter(action__startswith=action)
    if code:
        events = events.filter(appointment__code=code)
    if user:
        events = events.filter(actor__username__iexact=user)
    if date_from:
        events = events.filter(at__gte=local_datetime(date_from, dt.time.min))
    if date_to:
        events = events.filter(at__lt=local_datetime(date_to + dt.timedelta(days=1), dt.time.min))
    return events


@role_required(SUPERVISOR, ADMINISTRATOR)
def audit_log(request):
    filters = {key: value for key, value in request.GET.items() if key != "page"}
    form = AuditFilterForm(filters or None)
    if form.is_bound and not form.is_valid():
        events = Event.objects.none()
    else:
        events = events_matching(**(form.cleaned_data if form.is_bound else {}))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(
        request,
        "audit.html",
        {"form": form, "page": page, "filtered": form.is_bound},
    )
