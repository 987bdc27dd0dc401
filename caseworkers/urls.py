"""Every backoffice page under /backoffice/, by area. Reports, the supervisor screens and the
invitations keep their own namespaces (`caseworkers:reports:…`, `caseworkers:supervision:…`,
`caseworkers:invitations:…`)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from .forms.login import StaffLoginForm
from .views import (
    audit,
    capacity,
    dashboard,
    devices,
    display,
    feedback,
    invitations,
    messages,
    partners,
    privacy,
    queue,
    reception,
    release_modes,
    reports,
    two_factor,
    visits,
    waitlist_report,
)

app_name = "caseworkers"

# --- Reports (supervisors): /backoffice/reports/ --------------------------------------------
report_patterns = [
    path("", reports.overview, name="overview"),
    path("breakdowns/", reports.breakdowns, name="breakdowns"),
    path("caseworkers/", reports.caseworkers, name="caseworkers"),
    path("forecast/", reports.forecast, name="forecast"),
    path("needs/", reports.needs, name="needs"),
    path("waitlist/", waitlist_report.waitlist, name="waitlist"),
    path("waitlist/export.csv", waitlist_report.waitlist_export, name="waitlist-export"),
    path("export/<slug:table>.csv", reports.export, name="export"),
]

# --- Supervision: capacity, closures, counters, audit log, devices, data-protection requests,
# accessibility feedback: /backoffice/manage/ ----------------------------------------------
supervision_patterns = [
    path("", capacity.overview, name="capacity"),
    path("teams/<int:team_id>/", capacity.team_detail, name="team"),
    path("teams/<int:team_id>/rules/new/", capacity.rule_create, name="rule_create"),
    path("rules/<int:rule_id>/", capacity.rule_edit, name="rule_edit"),
    path("rules/<int:rule_id>/delete/", capacity.rule_delete, name="rule_delete"),
    path("closures/new/", capacity.closure_create, name="closure_create"),
    path("closures/<int:closure_id>/delete/", capacity.closure_delete, name="closure_delete"),
    path("teams/<int:team_id>/counters/new/", capacity.counter_create, name="counter_create"),
    path("counters/<int:counter_id>/", capacity.counter_edit, name="counter_edit"),
    path("counters/<int:counter_id>/active/", capacity.counter_toggle, name="counter_toggle"),
    path("audit/", audit.audit_log, name="audit"),
    path("devices/", devices.device_list, name="devices"),
    path("devices/new/", devices.device_create, name="device_create"),
    path("devices/<int:device_id>/", devices.device_issued, name="device_issued"),
    path("devices/<int:device_id>/revoke/", devices.device_revoke, name="device_revoke"),
    path("privacy/", privacy.requests, name="privacy"),
    path("privacy/<int:appointment_id>/export.json", privacy.export, name="privacy_export"),
    path("privacy/<int:appointment_id>/erase/", privacy.erase, name="privacy_erase"),
    path("feedback/", feedback.feedback_list, name="feedback"),
    path("feedback/<int:feedback_id>/", feedback.feedback_detail, name="feedback_detail"),
    path("partners/", partners.partner_list, name="partners"),
    path("partners/<int:partner_id>/active/", partners.partner_toggle, name="partner_toggle"),
    path("release/", release_modes.overview, name="release_modes"),
    path("release/<int:service_id>/", release_modes.edit, name="release_mode_edit"),
]

# --- Proactive invitations (supervisors): /backoffice/invitations/ --------------------------
invitation_patterns = [
    path("", invitations.batch_list, name="batches"),
    path("upload/", invitations.upload, name="upload"),
    path("import/", invitations.import_checked, name="import"),
    path("windows/", invitations.windows, name="windows"),
    path("<int:batch_id>/", invitations.batch_detail, name="batch"),
    path("<int:batch_id>/progress/", invitations.progress, name="progress"),
    path("<int:batch_id>/allocate/", invitations.allocate, name="allocate"),
    path("<int:batch_id>/send/", invitations.send, name="send"),
    path("<int:batch_id>/export.csv", invitations.export, name="export"),
    path("<int:batch_id>/letters.pdf", invitations.letters_pdf, name="letters"),
]

urlpatterns = [
    # --- Start page and sign-in ---
    path("", dashboard.dashboard, name="dashboard"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="caseworkers/login.html", authentication_form=StaffLoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="caseworkers:login"), name="logout"),
    path("two-factor/", two_factor.verify, name="two_factor_verify"),
    path("two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    # --- Reception: find, check in, walk-ins ---
    path("reception/", reception.desk, name="reception"),
    path("reception/<int:appointment_id>/check-in/", reception.check_in, name="check_in"),
    path("reception/walk-in/", reception.walk_in, name="walk_in"),
    path("reception/<int:appointment_id>/ticket/", reception.ticket, name="ticket"),
    # --- The team's queue and day list ---
    path("queue/<int:team_id>/", queue.team_queue, name="queue"),
    path("queue/<int:team_id>/board/", queue.team_queue_fragment, name="queue_board"),
    path("queue/<int:team_id>/next/", queue.call_next, name="call_next"),
    path("queue/<int:team_id>/counter/", queue.choose_counter, name="choose_counter"),
    path("queue/<int:team_id>/day/", queue.day_list, name="day_list"),
    path("queue/<int:team_id>/search/", queue.search, name="queue_search"),
    # --- One resident's visit (older ones and other teams' through the audited search) ---
    path("visits/search/", visits.search, name="visit_search"),
    path("visits/<int:appointment_id>/", visits.visit, name="visit"),
    path("visits/<int:appointment_id>/forward/", visits.forward, name="forward"),
    path("visits/<int:appointment_id>/follow-up/", visits.follow_up, name="follow_up"),
    path("visits/<int:appointment_id>/correct/", visits.correct, name="correct"),
    path("visits/<int:appointment_id>/<slug:action>/", visits.act, name="act"),
    # --- The waiting-room call display ---
    path("display/", display.display, name="display"),
    path("display/feed/", display.display_feed, name="display_feed"),
    # --- Supervisor areas (namespaced, see above) ---
    path("reports/", include((report_patterns, "reports"))),
    path("manage/", include((supervision_patterns, "supervision"))),
    path("invitations/", include((invitation_patterns, "invitations"))),
    # --- Messages that could not be delivered ---
    path("messages/", messages.failed_messages, name="failed_messages"),
    path("messages/<int:message_id>/resend/", messages.resend_message, name="resend_message"),
]
