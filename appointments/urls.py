"""Resident pages (under the language prefix, e.g. /de/): booking, the manage link, and the
answers to an invitation (their own namespace, `appointments:invitation:…`)."""

from django.urls import include, path

from .views import (
    invitation,
    manage,
    public,
    rebook,
    rights,
    statements,
    support,
    waitlist,
    wizard,
)

app_name = "appointments"

# --- Answers to a proactive invitation: /<language>/einladung/ ------------------------------
invitation_patterns = [
    path("<str:code>/", invitation.detail, name="detail"),
    path("<str:code>/zugang/", invitation.access, name="access"),
    path("<str:code>/zusagen/", invitation.confirm, name="confirm"),
    path("<str:code>/verschieben/", invitation.reschedule, name="reschedule"),
    path("<str:code>/absagen/", invitation.decline, name="decline"),
]

# --- The waitlist: /<language>/warteliste/ --------------------------------------------------
waitlist_patterns = [
    path("anmelden/<slug:slug>/", waitlist.register, name="register"),
    path("angemeldet/", waitlist.registered, name="registered"),
    path("bestaetigen/", waitlist.confirm, name="confirm"),
    path("mein-wunsch/", waitlist.wish_page, name="wish"),
    path("verlaengern/", waitlist.renew, name="renew"),
    path("angebot/<int:offer_id>/", waitlist.offer, name="offer"),
]

urlpatterns = [
    # --- Start, statements, the anti-bot challenge ------------------------------------------
    path("", public.home, name="home"),
    path("datenschutz/", statements.privacy, name="privacy"),
    path("barrierefreiheit/", statements.accessibility, name="accessibility"),
    path("leichte-sprache/", statements.easy_language, name="easy_language"),
    path("impressum/", statements.imprint, name="imprint"),
    path("challenge/", public.challenge_view, name="challenge"),
    # --- Booking wizard ---------------------------------------------------------------------
    path("buchen/<slug:slug>/", wizard.start, name="start"),
    path("buchen/<slug:slug>/zeit/", wizard.calendar, name="calendar"),
    path("buchen/<slug:slug>/daten/", wizard.details, name="details"),
    path("termin/<str:code>/reserviert/", wizard.held, name="held"),
    path("termin/<str:code>/reserviert/erneut-senden/", wizard.resend, name="held_resend"),
    # --- The resident's own link: verify, manage, print, calendar, cancel, move, reply -------
    path("termin/<str:code>/bestaetigen/", manage.verify, name="verify"),
    path("termin/<str:code>/", manage.manage, name="manage"),
    path("termin/<str:code>/drucken/", manage.printable, name="print"),
    path("termin/<str:code>/kalender.ics", manage.ics, name="ics"),
    path("termin/<str:code>/absagen/", manage.cancel, name="cancel"),
    path("termin/<str:code>/verschieben/", manage.reschedule, name="reschedule"),
    path("termin/<str:code>/antwort/", manage.reply, name="reply"),
    # --- The resident's rights on their data (from the same link) ------------------------
    path("termin/<str:code>/meine-daten/", rights.my_data, name="my_data"),
    path("termin/<str:code>/meine-daten/drucken/", rights.my_data_print, name="my_data_print"),
    path("termin/<str:code>/meine-daten.json", rights.my_data_json, name="my_data_json"),
    path("termin/<str:code>/daten-loeschen/", rights.erase, name="erase"),
    path("termin/<str:code>/geloescht/", rights.erased, name="erased"),
    # --- The personal rebooking link after a cancellation by the office ---------------------
    path("neu-buchen/", rebook.choose, name="rebook"),
    # --- Help without login: lost mail, the live wait, checking a confirmation ---------------
    path("termin-finden/", support.find, name="find"),
    path("warten/<str:token>/", support.wait, name="wait"),
    path("warten/<str:token>/status.json", support.wait_json, name="wait_json"),
    path("pruefen/<str:token>/", support.check, name="check"),
    path("neu-buchen/gebucht/", rebook.done, name="rebook_done"),
    path("einladung/", include((invitation_patterns, "invitation"))),
    path("warteliste/", include((waitlist_patterns, "waitlist"))),
]
