"""Supervisor screens under /backoffice/manage/: capacity, closures, counters, audit, devices."""

app_name = "supervision"

urlpatterns = []
