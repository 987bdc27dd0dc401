from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

app_name = "caseworkers"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="caseworkers/login.html"),
        name="login",
    ),
    path("reports/", include("caseworkers.report_urls")),
    path("manage/", include("caseworkers.supervision_urls")),
    path("messages/", views.failed_messages, name="failed_messages"),
    path("messages/<int:message_id>/resend/", views.resend_message, name="resend_message"),
    path("logout/", auth_views.LogoutView.as_view(next_page="caseworkers:login"), name="logout"),
]
