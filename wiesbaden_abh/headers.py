"""The security headers' policies (settings.CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY), the
middleware that sends the Permissions-Policy (Django has no setting for it) and django-csp's
middleware with the common policy built once."""

import functools

from csp import middleware as csp_middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE, NONE, SELF
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed

# Content-Security-Policy (django-csp): everything from our own origin, no inline script or
# style (scripts and styles are static files; an inline script would need {{ CSP_NONCE }}),
# no framing, forms post only to us. img-src allows data: for images that CSS and vendored
# widgets embed. The ALTCHA widget's worker is a static file ('self').
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
# Permissions-Policy: the site uses none of these browser features; autoplay stays ours, so the
# call display may play its optional chime (ordinary audio, no permission prompt).
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": ["self"],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-get": [],
    "usb": [],
    "browsing-topics": [],
}


def permissions_policy(policy):
    """`{"camera": [], "autoplay": ["self"]}` as `camera=(), autoplay=(self)`."""
    return ", ".join(
        f"{feature}=({' '.join(allowed)})" for feature, allowed in sorted(policy.items())
    )


class PermissionsPolicyMiddleware:
    """Adds PERMISSIONS_POLICY as the Permissions-Policy header unless a view set its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


REPORT_ONLY = "CONTENT_SECURITY_POLICY_REPORT_ONLY"
# What a view or decorator may set on a response to change its policy (django-csp).
PER_RESPONSE = tuple(
    f"_csp_{part}{suffix}" for part in ("config", "update", "replace") for suffix in ("", "_ro")
)


@functools.cache
def common_policies():
    """(policy, report-only policy) of a response without a nonce or a per-view change: the
    same for every such response until a setting changes."""
    return build_policy(), build_policy(report_only=True)


def _forget(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        common_policies.cache_clear()


setting_changed.connect(_forget, dispatch_uid="headers-forget-csp")


class CSPMiddleware(csp_middleware.CSPMiddleware):
    """django-csp's middleware; a response that used no nonce and changes nothing gets the
    policy built once per process. Building it (with django-csp's dataclass copies) was about
    a sixteenth of a refused booking. Anything else is django-csp's own path."""

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in PER_RESPONSE
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (404, 500):
            return response  # Django's debug pages, as django-csp leaves them
        policy, report_only = common_policies()
        for header, value, exempt, setting in (
            (HEADER, policy, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, report_only, "_csp_exempt_ro", REPORT_ONLY),
        ):
            if not value or header in response or getattr(response, exempt, False):
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = value
        # As django-csp: a nonce asked for after the header was written is an error, not a
        # script silently blocked.
        request.csp_nonce = csp_middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response
