"""The waitlist's mails (confirm the wish, an offer with accept and decline, renew, paused):
written to the outbox in the caller's transaction, in the resident's language, once each."""

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

from ..models import OutboxMessage
from ..notifications.messages import absolute, outbox_row, render_templates
from ..notifications.outbox import enqueue_after_commit

# Links the allocator and the sweeper write carry a signed value instead of the wish's secret
# (only its hash is stored): it allows one thing only — answering that offer, or renewing.
OFFER_SALT = "appointments.waitlist.offer"
RENEW_SALT = "appointments.waitlist.renew"


def wish_url(wish, name, query, **kwargs):
    """An absolute link to a waitlist page in the wish's language with `query`."""
    with translation.override(wish.language):
        path = reverse(f"appointments:waitlist:{name}", kwargs=kwargs or None)
    return absolute(f"{path}?{urlencode(query)}")


def offer_signature(offer):
    return signing.dumps({"o": offer.pk}, salt=OFFER_SALT)


def renew_signature(wish):
    return signing.dumps({"w": wish.pk}, salt=RENEW_SALT)


def _send(kind, wish, *, occasion="", appointment=None, **context):
    key = f"wish:{wish.pk}:{kind}:{occasion}"[:120]
    if OutboxMessage.objects.filter(idempotency_key=key).exists():
        return None
    rendered = render_templates(
        f"appointments/email/{kind}", wish.language, {"wish": wish, **context}
    )
    message = outbox_row(
        kind, key, rendered, recipient=wish.email, language=wish.language, appointment=appointment
    )
    message.save(force_insert=True)
    enqueue_after_commit(message.pk)
    return message


def wish_registered(wish, *, token):
    return _send(
        "wish_verification",
        wish,
        confirm_url=wish_url(wish, "confirm", {"t": token}),
        hours=settings.WAITLIST_VERIFY_HOURS,
    )


def offer_made(offer):
    """The offer: the held time, the answer deadline, accept and decline (both open a page
    with one button, as mail scanners follow links)."""
    wish = offer.wish
    return _send(
        "wish_offer",
        wish,
        occasion=str(offer.pk),
        appointment=offer.appointment,
        offer=offer,
        appointment_obj=offer.appointment,
        offer_url=wish_url(wish, "offer", {"s": offer_signature(offer)}, offer_id=offer.pk),
    )


def renewal_due(wish):
    """The reminder before a wish lapses; its link renews with one click (the wish page)."""
    return _send(
        "wish_renewal",
        wish,
        occasion=wish.expires_at.date().isoformat(),
        renew_url=wish_url(wish, "renew", {"s": renew_signature(wish)}),
    )


def wish_paused(wish):
    return _send(
        "wish_paused",
        wish,
        occasion=str(wish.expired_offers),
        max_expired=settings.WAITLIST_MAX_EXPIRED_OFFERS,
        renew_url=wish_url(wish, "renew", {"s": renew_signature(wish)}),
    )
