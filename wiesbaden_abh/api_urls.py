"""The REST API under /api/v1/ and its schema under /api/schema/ (UI served locally)."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from appointments.api.errors import not_found
from caseworkers.api.urls import display_urlpatterns

app_name = "api"

v1 = [
    path("", include("appointments.api.urls")),
    path("staff/", include(("caseworkers.api.urls", "staff"))),
    *display_urlpatterns,
]

urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view keeps Swagger UI's script in a file (no inline script, CSP-friendly).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Redoc injects its styles at run time: the one page whose styles may be inline (its
    # scripts stay as strict as everywhere else).
    path(
        "redoc/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularRedocView.as_view(url_name="api:schema")
        ),
        name="redoc",
    ),
    # Last: any other path under /api/ is a JSON 404 (no HTML page, no slash redirect).
    re_path(r"", not_found),
]
