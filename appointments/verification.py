"""A confirmation others can verify: the printable confirmation carries a signed link (QR and
short URL); its public page confirms only that an appointment on that day exists for a person
with these initials and year of birth, and only while it is valid (booked or in the office
today, not cancelled, not over). Moving the appointment ends the old link."""

from django.urls import reverse
from django.utils import timezone, translation

from . import signed_links
from .models import Appointment, Status
from .notifications.messages import absolute

SALT = "appointments.confirmation-check"
# An appointment still to come or being served: its confirmation holds.
VALID = (Status.BOOKED, Status.CHECKED_IN, Status.CALLED, Status.IN_SERVICE)


def _bound(appointment):
    # The slot's start: a moved appointment needs a new confirmation.
    return str(int(appointment.slot.start.timestamp()))


def check_token(appointment):
    return signed_links.make(SALT, appointment.pk, _bound(appointment))


def initials(appointment):
    """ "E. M.": the first letters of the first given name and of the surname."""
    parts = [(appointment.given_names or "").split(), (appointment.surname or "").split()]
    return " ".join(f"{words[0][0].upper()}." for words in parts if words)


def confirmed(token, *, now=None):
    """{"date", "initials", "year"} for a valid token of a valid appointment, else None; the
    caller answers every None alike (forged, moved, cancelled, over: nothing to tell apart)."""
    pk = signed_links.object_id(token)
    if pk is None:
        return None
    appointment = (
        Appointment.objects.select_related("slot")
        .filter(pk=pk, status__in=VALID, pseudonymised_at__isnull=True)
        .first()
    )
    if appointment is None or not signed_links.matches(SALT, token, pk, _bound(appointment)):
        return None
    if appointment.slot.end <= (now or timezone.now()):
        return None
    return {
        "date": timezone.localdate(appointment.slot.start),
        "initials": initials(appointment),
        "year": appointment.date_of_birth.year,
    }


def check_url(appointment):
    """The absolute short link (in the resident's language) for the QR code and to type."""
    with translation.override(appointment.language):
        return absolute(reverse("appointments:check", kwargs={"token": check_token(appointment)}))
