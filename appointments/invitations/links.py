"""The secret link of an invitation: a token derived from the server's key, so the e-mail and
any reprint of the letter carry the same link; only its hash is stored (as the appointment's
manage token, so the link also opens the manage page)."""

import base64
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac

from ..codes import hash_token
from ..notifications.messages import absolute

SALT = "appointments.invitation-token"


def invitation_token(invitation):
    """192 secret bits for this invitation and its current appointment."""
    digest = salted_hmac(
        SALT, f"{invitation.pk}:{invitation.appointment_id}", algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def token_hash(invitation):
    return hash_token(invitation_token(invitation))


def page_url(invitation, name="detail", *, with_token=True):
    """An absolute link to one of the resident's invitation pages, in their language."""
    appointment = invitation.appointment
    with translation.override(invitation.language):
        path = reverse(f"appointments:invitation:{name}", kwargs={"code": appointment.code})
    if with_token:
        path = f"{path}?{urlencode({'t': invitation_token(invitation)})}"
    return absolute(path)


def short_url(invitation):
    """The link printed on letters: typed by hand, it asks for the date of birth."""
    return page_url(invitation, with_token=False)


def links(invitation):
    """The links an invitation message carries."""
    return {
        "answer_url": page_url(invitation),
        "reschedule_url": page_url(invitation, "reschedule"),
        "decline_url": page_url(invitation, "decline"),
        "short_url": short_url(invitation),
    }
