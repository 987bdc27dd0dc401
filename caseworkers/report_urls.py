"""Supervisor reports under /backoffice/reports/."""

from django.urls import path

from . import reports

app_name = "reports"

urlpatterns = [
    path("", reports.overview, name="overview"),
    path("breakdowns/", reports.breakdowns, name="breakdowns"),
    path("forecast/", reports.forecast, name="forecast"),
    path("export/<slug:table>.csv", reports.export, name="export"),
]
