"""Holds supervisors and administrators at the second-factor step until they confirmed a code
(STAFF_2FA_REQUIRED): after the password they reach only set-up, code entry and logout."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import two_factor

GUARDED = ("/backoffice/", "/admin/", "/api/")
ADMIN = "/admin/"
# Reachable before the code: the admin's own login and logout (the form asks no code).
ADMIN_OPEN = ("/admin/login/", "/admin/logout/")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if (
            two_factor.is_required()
            and path.startswith(GUARDED)
            and not self._open(path)
            and two_factor.needs_second_factor(request.user, admin=path.startswith(ADMIN))
            and not request.user.is_verified()
        ):
            return self._hold(request, path)
        return self.get_response(request)

    @staticmethod
    def _open(path):
        return path.startswith(ADMIN_OPEN) or path in {
            reverse("caseworkers:two_factor_setup"),
            reverse("caseworkers:two_factor_verify"),
            reverse("caseworkers:login"),
            reverse("caseworkers:logout"),
        }

    @staticmethod
    def _hold(request, path):
        if path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _("Confirm your login with the second factor first."),
                    "code": "second_factor_required",
                },
                status=403,
            )
        step = "two_factor_verify" if two_factor.has_device(request.user) else "two_factor_setup"
        return redirect(f"{reverse(f'caseworkers:{step}')}?{urlencode({'next': path})}")
