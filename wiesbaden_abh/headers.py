"""The Permissions-Policy header on every response (Django has no setting for it)."""

from django.conf import settings


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
