"""Staff API routes (included under /api/v1/staff/) and the display feed (/api/v1/display/)."""

from django.urls import path

from .views import account, display, queue, supervision, visits, waitlist

urlpatterns = [
    path("me/", account.MeView.as_view(), name="me"),
    path("token/", account.TokenIssueView.as_view(), name="token-issue"),
    path("token/revoke/", account.TokenRevokeView.as_view(), name="token-revoke"),
    path("teams/", queue.TeamListView.as_view(), name="teams"),
    path("teams/<int:team_id>/queue/", queue.TeamQueueView.as_view(), name="team-queue"),
    path("teams/<int:team_id>/call-next/", queue.CallNextView.as_view(), name="call-next"),
    path("check-in/", queue.CheckInView.as_view(), name="check-in"),
    path("walk-ins/", queue.WalkInView.as_view(), name="walk-in"),
    path(
        "appointments/<int:appointment_id>/",
        queue.AppointmentDetailView.as_view(),
        name="appointment",
    ),
    path("appointments/<int:appointment_id>/call/", queue.CallView.as_view(), name="call"),
    path("appointments/<int:appointment_id>/recall/", queue.RecallView.as_view(), name="recall"),
    path("appointments/<int:appointment_id>/park/", queue.ParkView.as_view(), name="park"),
    path("appointments/<int:appointment_id>/forward/", queue.ForwardView.as_view(), name="forward"),
    path("appointments/<int:appointment_id>/start/", queue.StartView.as_view(), name="start"),
    path("appointments/<int:appointment_id>/finish/", queue.FinishView.as_view(), name="finish"),
    path("appointments/<int:appointment_id>/no-show/", queue.NoShowView.as_view(), name="no-show"),
    path(
        "appointments/<int:appointment_id>/take-over/",
        visits.TakeOverView.as_view(),
        name="take-over",
    ),
    path(
        "appointments/<int:appointment_id>/correct-outcome/",
        visits.CorrectOutcomeView.as_view(),
        name="correct-outcome",
    ),
    path(
        "appointments/<int:appointment_id>/follow-up-slots/",
        visits.FollowUpSlotsView.as_view(),
        name="follow-up-slots",
    ),
    path(
        "appointments/<int:appointment_id>/follow-up/",
        visits.FollowUpBookView.as_view(),
        name="follow-up",
    ),
    path("statistics/", supervision.StatisticsView.as_view(), name="statistics"),
    path("waitlist/", waitlist.WaitlistView.as_view(), name="waitlist"),
    path("devices/", supervision.DeviceListView.as_view(), name="devices"),
    path("devices/create/", supervision.DeviceCreateView.as_view(), name="device-create"),
    path(
        "devices/<int:device_id>/revoke/",
        supervision.DeviceRevokeView.as_view(),
        name="device-revoke",
    ),
]

display_urlpatterns = [
    path("display/", display.DisplayFeedView.as_view(), name="display"),
]
