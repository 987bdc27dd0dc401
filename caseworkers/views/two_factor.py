"""Second factor: set up the authenticator app (QR code, recovery codes shown once) and the
code step after the password. Who must pass it is decided in caseworkers.two_factor."""

from base64 import b32encode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from appointments.documents import qr_svg

from .. import two_factor
from ..forms.two_factor import CodeForm, SetupCodeForm


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


@never_cache
@login_required
def setup(request):
    user = request.user
    if two_factor.has_device(user):
        return redirect("caseworkers:two_factor_verify")
    if not two_factor.needs_second_factor(user, admin=True):
        return redirect(_next(request))
    form = SetupCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_setup(request=request, code=form.cleaned_data["code"])
        if codes:
            return render(
                request,
                "caseworkers/two_factor/recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        form.add_error("code", _("This code is not correct. Enter the code the app shows now."))
    device = two_factor.pending_device(user=user)
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "caseworkers/two_factor/setup.html",
        {
            "form": form,
            "qr": qr_svg(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next(request),
        },
    )


@never_cache
@login_required
def verify(request):
    user = request.user
    if not two_factor.has_device(user):
        return redirect("caseworkers:two_factor_setup")
    if user.is_verified():
        return redirect(_next(request))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(request=request, code=form.cleaned_data["code"]):
            return redirect(_next(request))
        form.add_error("code", _("This code is not correct or was already used."))
    return render(
        request, "caseworkers/two_factor/verify.html", {"form": form, "next": _next(request)}
    )
