"""Supervisor screens for proactive invitations under /backoffice/invitations/."""

app_name = "invitations"

urlpatterns = []
