"""Supervisor screens under /backoffice/manage/: capacity, closures, counters, audit, devices."""

from django.urls import path

from .supervision import audit_views, capacity_views, device_views

app_name = "supervision"

urlpatterns = [
    path("", capacity_views.overview, name="capacity"),
    path("teams/<int:team_id>/", capacity_views.team_detail, name="team"),
    path("teams/<int:team_id>/rules/new/", capacity_views.rule_create, name="rule_create"),
    path("rules/<int:rule_id>/", capacity_views.rule_edit, name="rule_edit"),
    path("rules/<int:rule_id>/delete/", capacity_views.rule_delete, name="rule_delete"),
    path("closures/new/", capacity_views.closure_create, name="closure_create"),
    path("closures/<int:closure_id>/delete/", capacity_views.closure_delete, name="closure_delete"),
    path("teams/<int:team_id>/counters/new/", capacity_views.counter_create, name="counter_create"),
    path("counters/<int:counter_id>/", capacity_views.counter_edit, name="counter_edit"),
    path("counters/<int:counter_id>/active/", capacity_views.counter_toggle, name="counter_toggle"),
    path("audit/", audit_views.audit_log, name="audit"),
    path("devices/", device_views.device_list, name="devices"),
    path("devices/new/", device_views.device_create, name="device_create"),
    path("devices/<int:device_id>/", device_views.device_issued, name="device_issued"),
    path("devices/<int:device_id>/revoke/", device_views.device_revoke, name="device_revoke"),
]
