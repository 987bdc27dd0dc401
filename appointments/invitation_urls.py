"""Residents' answers to an invitation under /<language>/einladung/."""

from django.urls import path

from .views import invitation

app_name = "invitation"

urlpatterns = [
    path("<str:code>/", invitation.detail, name="detail"),
    path("<str:code>/zugang/", invitation.access, name="access"),
    path("<str:code>/zusagen/", invitation.confirm, name="confirm"),
    path("<str:code>/verschieben/", invitation.reschedule, name="reschedule"),
    path("<str:code>/absagen/", invitation.decline, name="decline"),
]
