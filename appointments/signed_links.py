"""Short signed links that need no login: `<id in base 36>-<16 characters of an HMAC>`.

The MAC binds the id to a purpose (salt) and to a value the link must still match (the day of
a waiting ticket, the time of a confirmed appointment): when that value changes, the link ends.
80 bits of MAC cannot be guessed, and the link carries nothing personal.
"""

import base64
import hmac

from django.utils.crypto import salted_hmac

MAC_LENGTH = 16
MAX_ID_DIGITS = 13  # base 36: far beyond any primary key


def _to_base36(number):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text


def _mac(salt, pk, bound):
    digest = salted_hmac(salt, f"{pk}:{bound}", algorithm="sha256").digest()
    return base64.b32encode(digest).decode().lower()[:MAC_LENGTH]


def make(salt, pk, bound):
    """The link token for object `pk`, valid while `bound` (a string) stays the same."""
    return f"{_to_base36(pk)}-{_mac(salt, pk, bound)}"


def object_id(token):
    """The id a well-formed token names (not yet checked!), or None for anything else."""
    if not isinstance(token, str) or token.count("-") != 1:
        return None
    head, mac = token.split("-")
    if not head or len(head) > MAX_ID_DIGITS or len(mac) != MAC_LENGTH:
        return None
    try:
        return int(head, 36)
    except ValueError:
        return None


def matches(salt, token, pk, bound):
    """Whether `token` was made by `make(salt, pk, bound)` (constant-time comparison)."""
    return hmac.compare_digest(token.encode(), make(salt, pk, bound).encode())
