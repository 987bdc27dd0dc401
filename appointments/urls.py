from django.urls import include, path

from .views import manage, public, wizard

app_name = "appointments"

urlpatterns = [
    path("", public.home, name="home"),
    path("datenschutz/", public.privacy, name="privacy"),
    path("challenge/", public.challenge_view, name="challenge"),
    path("buchen/<slug:slug>/", wizard.start, name="start"),
    path("buchen/<slug:slug>/zeit/", wizard.calendar, name="calendar"),
    path("buchen/<slug:slug>/daten/", wizard.details, name="details"),
    path("termin/<str:code>/reserviert/", wizard.held, name="held"),
    path("termin/<str:code>/bestaetigen/", manage.verify, name="verify"),
    path("termin/<str:code>/", manage.manage, name="manage"),
    path("termin/<str:code>/drucken/", manage.printable, name="print"),
    path("termin/<str:code>/kalender.ics", manage.ics, name="ics"),
    path("termin/<str:code>/absagen/", manage.cancel, name="cancel"),
    path("termin/<str:code>/verschieben/", manage.reschedule, name="reschedule"),
    path("termin/<str:code>/antwort/", manage.reply, name="reply"),
    path("einladung/", include("appointments.invitation_urls")),
]
