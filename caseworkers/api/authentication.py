"""`Authorization: Device <token>`: the read-only credential of a call display or kiosk;
`Authorization: Token <key>`: a staff member's personal token, looked up by its hash.

A device is no user: it gets no roles, so no staff endpoint lets it in; only views that ask
for IsDevice accept it.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ..models import ApiToken, DeviceToken


class DeviceTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Device"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid device token header."))
        try:
            token = parts[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid device token header.")) from None
        device = DeviceToken.active_for(token)
        if device is None:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked device token."))
        return AnonymousUser(), device

    def authenticate_header(self, request):
        return self.keyword


class HashedTokenAuthentication(authentication.TokenAuthentication):
    """DRF's `Token <key>` scheme, but the key is found by its SHA-256 hash (models.ApiToken)."""

    def authenticate_credentials(self, key):
        token = ApiToken.find(key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed()
        return token.user, token


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "caseworkers.api.authentication.DeviceTokenAuthentication"
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Device <token>`: a device token created by a supervisor.",
        }
