"""Call display devices: list, issue a token (shown exactly once) and revoke it."""

from django.contrib import messages
from django.db import transaction
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from appointments.audit import log_event

from ..forms.devices import DeviceTokenForm
from ..models import DeviceToken
from ..permissions import role_required
from ..roles import ADMINISTRATOR, SUPERVISOR

supervisors = role_required(SUPERVISOR, ADMINISTRATOR)
# The new token waits here, in the issuer's session, for the one page that shows it.
SESSION_KEY = "supervision:issued_device_token"


def _page(request, template, context):
    return render(request, f"caseworkers/supervision/{template}", {"section": "devices", **context})


def display_url(request, token):
    """The address a kiosk opens: the call display with the device token."""
    try:
        path = reverse("caseworkers:display")
    except NoReverseMatch:  # the display page is built elsewhere; its path is agreed
        path = "/backoffice/display/"
    return request.build_absolute_uri(f"{path}?{urlencode({'device': token})}")


@supervisors
def device_list(request):
    devices = DeviceToken.objects.select_related("created_by").prefetch_related("teams")
    return _page(
        request,
        "devices.html",
        {"devices": devices.order_by(F("revoked_at").asc(nulls_first=True), "name")},
    )


@supervisors
def device_create(request):
    form = DeviceTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            device, token = DeviceToken.issue(
                name=form.cleaned_data["name"],
                teams=form.cleaned_data["teams"],
                created_by=request.user,
            )
            log_event(
                action="device_token.issued",
                actor=request.user,
                device=device.pk,
                name=device.name,
                teams=sorted(team.pk for team in form.cleaned_data["teams"]),
            )
        request.session[SESSION_KEY] = {"device": device.pk, "token": token}
        return redirect("caseworkers:supervision:device_issued", device_id=device.pk)
    return _page(request, "device_form.html", {"form": form})


@never_cache
@supervisors
def device_issued(request, device_id):
    """Shows the new token once: it leaves the session as it is shown (only its hash is kept)."""
    device = get_object_or_404(DeviceToken.objects.prefetch_related("teams"), pk=device_id)
    issued = request.session.get(SESSION_KEY) or {}
    token = None
    if issued.get("device") == device.pk:
        token = issued["token"]
        del request.session[SESSION_KEY]
    return _page(
        request,
        "device_issued.html",
        {"device": device, "token": token, "url": display_url(request, token) if token else None},
    )


@supervisors
def device_revoke(request, device_id):
    device = get_object_or_404(DeviceToken, pk=device_id)
    if request.method == "POST":
        revoked = device.revoke(actor=request.user)
        if revoked:
            messages.success(
                request,
                _("The device “%(name)s” is revoked; its display stops showing calls.")
                % {"name": device.name},
            )
        else:
            messages.info(request, _("This device was already revoked."))
        return redirect("caseworkers:supervision:devices")
    return _page(request, "device_revoke.html", {"device": device})
