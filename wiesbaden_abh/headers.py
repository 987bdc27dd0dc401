"""The security headers' policies (settings.CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY) and
the middleware that sends the Permissions-Policy (Django has no setting for it)."""

from csp.constants import NONCE, NONE, SELF
from django.conf import settings

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
