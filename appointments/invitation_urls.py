"""Residents' answers to an invitation under /<language>/einladung/."""

app_name = "invitation"

urlpatterns = []
