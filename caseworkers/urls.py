from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import display, queue_views, reception, views

app_name = "caseworkers"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="caseworkers/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="caseworkers:login"), name="logout"),
    path("reception/", reception.desk, name="reception"),
    path("reception/<int:appointment_id>/check-in/", reception.check_in, name="check_in"),
    path("reception/walk-in/", reception.walk_in, name="walk_in"),
    path("queue/<int:team_id>/", queue_views.team_queue, name="queue"),
    path("queue/<int:team_id>/board/", queue_views.team_queue_fragment, name="queue_board"),
    path("queue/<int:team_id>/next/", queue_views.call_next, name="call_next"),
    path("queue/<int:team_id>/day/", queue_views.day_list, name="day_list"),
    path("visits/<int:appointment_id>/", queue_views.visit, name="visit"),
    path("visits/<int:appointment_id>/forward/", queue_views.forward, name="forward"),
    path("visits/<int:appointment_id>/follow-up/", queue_views.follow_up, name="follow_up"),
    path("visits/<int:appointment_id>/<slug:action>/", queue_views.act, name="act"),
    path("display/", display.display, name="display"),
    path("display/feed/", display.display_feed, name="display_feed"),
    path("reports/", include("caseworkers.report_urls")),
    path("manage/", include("caseworkers.supervision_urls")),
    path("invitations/", include("caseworkers.invitation_urls")),
    path("messages/", views.failed_messages, name="failed_messages"),
    path("messages/<int:message_id>/resend/", views.resend_message, name="resend_message"),
]
