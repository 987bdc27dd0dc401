"""Supervisor reports under /backoffice/reports/."""

app_name = "reports"

urlpatterns = []
