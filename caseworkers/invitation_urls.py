"""Supervisor screens for proactive invitations under /backoffice/invitations/."""

from django.urls import path

from . import invitations

app_name = "invitations"

urlpatterns = [
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
