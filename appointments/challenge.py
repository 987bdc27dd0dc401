"""Self-hosted ALTCHA proof-of-work challenge that the booking form requires before a hold.

Issues signed challenges (ALTCHA v2 protocol) and accepts each solved one once, until it expires.
"""

import base64
import binascii
import datetime
import json
import secrets

import altcha
from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

CHALLENGE_LIFETIME = datetime.timedelta(minutes=10)
# Plain iterated SHA-256 with one round: the widget's cheapest algorithm; the work comes from the
# number of counters the browser has to try, as with ALTCHA v1's max_number.
ALGORITHM = "SHA-256"
# A real payload is about 600 characters; anything much longer is refused unread.
MAX_PAYLOAD_LENGTH = 4096
USED_KEY_PREFIX = "booking-challenge:used:"


def enabled() -> bool:
    """Whether the booking form requires a solved challenge (off only for tests/benchmarks)."""
    return settings.BOOKING_CHALLENGE


def new_challenge() -> dict:
    """A fresh challenge, signed with the HMAC key and valid for ten minutes, as JSON data."""
    # The server picks the counter the browser must find (uniform up to max_number, so on
    # average half of it is tried) and publishes the first half of the derived key as prefix.
    challenge = altcha.create_challenge(
        ALGORITHM,
        cost=1,
        counter=secrets.randbelow(settings.BOOKING_CHALLENGE_MAX_NUMBER + 1),
        expires_at=timezone.now() + CHALLENGE_LIFETIME,
        hmac_secret=settings.BOOKING_CHALLENGE_HMAC_KEY,
    )
    return challenge.to_dict()


def verify(payload: str) -> bool:
    """True once for a correctly solved, unexpired challenge of ours; False for anything else."""
    if not isinstance(payload, str) or not payload or len(payload) > MAX_PAYLOAD_LENGTH:
        return False
    data = _decode(payload)
    if data is None:
        return False
    result = altcha.verify_solution(data, settings.BOOKING_CHALLENGE_HMAC_KEY)
    if not result.verified:
        return False
    # The signature identifies the challenge; add() is atomic (SET NX on Redis), so of two
    # concurrent submissions of the same solution only one gets through.
    expires_at = data.challenge.parameters.expires_at
    remaining = int(expires_at - timezone.now().timestamp()) + 1
    return cache.add(USED_KEY_PREFIX + data.challenge.signature, True, timeout=max(remaining, 1))


def _decode(payload: str) -> altcha.Payload | None:
    """The payload's challenge and solution, or None unless it has the shape the widget sends."""
    try:
        data = json.loads(base64.b64decode(payload, validate=True))
    except (binascii.Error, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    challenge, solution = data.get("challenge"), data.get("solution")
    if not isinstance(challenge, dict) or not isinstance(solution, dict):
        return None
    parameters, signature = challenge.get("parameters"), challenge.get("signature")
    if not isinstance(parameters, dict) or not isinstance(signature, str):
        return None
    # We always sign an integer expiry; a challenge without one is not ours.
    if type(parameters.get("expiresAt")) is not int:
        return None
    try:
        return altcha.Payload.from_dict(data)
    except (KeyError, TypeError):
        return None


@never_cache
@require_GET
def challenge_view(request):
    """A new challenge for the widget; never cached, since each one is accepted only once."""
    return JsonResponse(new_challenge())
