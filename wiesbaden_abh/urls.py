"""URLs: resident pages under a language prefix, staff under /backoffice/, admin, API, health."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from caseworkers.forms.login import AdminLoginForm

from .health import healthz, readyz
from .i18n import set_language
from .metrics import metrics
from .schedules import periodic_tasks

# The admin's sign-in refuses over-long usernames before django-axes tries to record them.
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/periodic-tasks/", admin.site.admin_view(periodic_tasks), name="periodic_tasks"),
    path("admin/", admin.site.urls),
    path("backoffice/", include("caseworkers.urls")),
    path("api/", include("wiesbaden_abh.api_urls")),
]

urlpatterns += i18n_patterns(
    path("", include("appointments.urls")),
    prefix_default_language=True,
)

# Styled, translated error pages in the layout of the side (staff or resident); see errors.py.
handler403 = "wiesbaden_abh.errors.permission_denied"
handler404 = "wiesbaden_abh.errors.page_not_found"
handler500 = "wiesbaden_abh.errors.server_error"
