"""Protection against bots and brute force, one implementation for the web and the API:
the client address, cache-based rate limits (Redis in production), the limits on holds and
on link attempts, and the self-hosted ALTCHA proof-of-work challenge (each solution accepted
once, until it expires). When the cache fails, both go on in the database (appointments.outage)."""

import base64
import binascii
import datetime
import functools
import hashlib
import ipaddress
import json
import math
import secrets

import altcha
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from . import dates, outage
from .audit import log_event
from .codes import hash_token, new_token
from .errors import ChallengeFailed, TooManyAttempts
from .models import PartnerKey
from .names import email_key, surname_key

HOUR, DAY = 3600, 86400
# What a cache call raises when Redis cannot be reached or answers too late.
CACHE_ERRORS = outage.CACHE_ERRORS

# --- The cache, or the database while it is down -------------------------------------------


def _count(key, timeout):
    """One more attempt under `key`; the count in the window (the first one opens it)."""
    if not outage.CACHE.active():
        try:
            if cache.add(key, 1, timeout=timeout):
                return 1
            try:
                return cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=timeout)
                return 1
        except CACHE_ERRORS as error:
            outage.CACHE.start(error)
    return outage.incr(key=key, timeout=timeout)


def _first_use(key, timeout):
    """True the first time `key` is used within `timeout` seconds (atomic: SET NX on Redis)."""
    if not outage.CACHE.active():
        try:
            first = cache.add(key, True, timeout=timeout)
        except CACHE_ERRORS as error:
            outage.CACHE.start(error)
        else:
            # A solution used while the cache was down stays used once it is back (the database
            # is asked only for a challenge's lifetime after this process saw the outage).
            recent = outage.CACHE.failed_within(CHALLENGE_LIFETIME.total_seconds())
            return first and not (recent and outage.marked(key=key))
    return outage.add(key=key, timeout=timeout)


# --- Client address and rate limits --------------------------------------------------------


def client_ip(request):
    """The client's address: REMOTE_ADDR, unless that is a trusted proxy (TRUSTED_PROXIES);
    then the right-most X-Forwarded-For hop that is not a trusted proxy itself.

    Hops are read from the right because only those were appended by our own proxies; anything
    further left came from the client and may be forged. An unreadable hop ends the walk: the
    last trusted hop before it stands for the client, so garbage cannot mint new identities.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    address = _parse_address(remote)
    if address is None:
        return remote.strip()
    trusted = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not _is_trusted(address, trusted):
        return str(address)
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop_address = _parse_address(hop)
        if hop_address is None:
            if hop.strip():
                break  # forged or mangled: trust nothing to its left
            continue  # an empty element ("a,,b" or a trailing comma)
        address = hop_address
        if not _is_trusted(address, trusted):
            break
    return str(address)


def _parse_address(text):
    """An IPv4 or IPv6 address from a header hop ("203.0.113.7", "[2001:db8::1]:443",
    "203.0.113.7:51000"), IPv4-mapped IPv6 as IPv4; None for anything else."""
    text = text.strip()
    if text.startswith("["):  # [IPv6] or [IPv6]:port
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # IPv4:port
        text = text.split(":", 1)[0]
    if not text or len(text) > 64:
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


@functools.lru_cache(maxsize=8)
def _trusted_networks(entries):
    """TRUSTED_PROXIES as networks (a plain address is a network of one)."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _is_trusted(address, networks):
    return any(address.version == network.version and address in network for network in networks)


def count_in_window(scope, identity, *, window_seconds, now=None):
    """One more attempt of `identity` in `scope` within the current clock-aligned window:
    (the count in the window, seconds until the window ends)."""
    seconds = int((now or timezone.now()).timestamp())
    start = seconds - seconds % window_seconds
    remaining = start + window_seconds - seconds
    digest = hashlib.sha256(f"{scope}:{identity}".encode()).hexdigest()[:32]
    return _count(f"ratelimit:{scope}:{start}:{digest}", max(remaining, 1)), remaining


def allow(scope, identity, *, limit, window_seconds):
    """Count one attempt of `identity` in `scope`; False once more than `limit` in the window."""
    if not settings.RATE_LIMITS:
        return True
    return count_in_window(scope, identity, window_seconds=window_seconds)[0] <= limit


def link_attempt_allowed(request):
    """The limit on verification, manage and invitation link attempts per client address."""
    return allow(
        "links-ip",
        client_ip(request),
        limit=settings.RATE_LIMIT_LINKS_PER_IP_HOUR,
        window_seconds=HOUR,
    )


def refused_until(remaining, *, now=None):
    """TooManyAttempts saying when to try again: clock time (and day if not today), minutes."""
    now = now or timezone.now()
    retry_at = now + datetime.timedelta(seconds=remaining)
    local = timezone.localtime(retry_at)
    same_day = local.date() == timezone.localdate(now)
    when = formats.time_format(local, "H:i") if same_day else dates.format_when(local)
    message = _(
        "To keep appointments fair for everyone, we limit how often a booking can be tried. "
        "Please try again from %(time)s (in about %(minutes)s minutes). What you entered is kept."
    ) % {"time": when, "minutes": max(math.ceil(remaining / 60), 1)}
    return TooManyAttempts(message, retry_after=remaining, retry_at=retry_at)


def check_hold(request, *, email, challenge_payload, person=None, partner_key=""):
    """Before a hold: the limits per client address (hour; a partner key raises it), mailbox
    and person (day), then a solved challenge. Raises TooManyAttempts (saying when to try
    again) or ChallengeFailed; web and API map them alike."""
    if settings.RATE_LIMITS:
        partner = partner_for_key(partner_key)
        ip_limit = settings.RATE_LIMIT_HOLDS_PER_IP_HOUR
        ip_scope = "hold-ip"
        if partner is not None and partner.limit > ip_limit:
            ip_limit, ip_scope = partner.limit, f"hold-partner-{partner.pk}"
        limits = [
            (ip_scope, client_ip(request), ip_limit, HOUR),
            ("hold-email", email_key(email), settings.RATE_LIMIT_HOLDS_PER_EMAIL_DAY, DAY),
        ]
        if person is not None:
            identity = f"{surname_key(person.surname)}|{person.date_of_birth}"
            limits.append(("hold-person", identity, settings.RATE_LIMIT_HOLDS_PER_PERSON_DAY, DAY))
        for scope, identity, limit, window in limits:
            count, remaining = count_in_window(scope, identity, window_seconds=window)
            if count > limit:
                raise refused_until(remaining)
    if challenge_enabled() and not verify_challenge(challenge_payload):
        raise ChallengeFailed()


# --- Partner keys of counselling offices ----------------------------------------------------


def partner_for_key(key):
    """The active partner whose key this is, or None (a wrong key is simply no key)."""
    key = (key or "").strip()
    if not key or len(key) > 200:
        return None
    return PartnerKey.objects.filter(key_hash=hash_token(key), active=True).first()


@transaction.atomic
def create_partner_key(*, organisation, limit, actor, now=None):
    """A new partner key; returns (partner, key). Only the hash is stored: show the key once."""
    now = now or timezone.now()
    key = new_token()
    partner = PartnerKey.objects.create(
        organisation=organisation.strip(),
        key_hash=hash_token(key),
        limit=limit,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        created_at=now,
    )
    log_event(action="partner_key.created", actor=actor, at=now, partner=partner.pk, limit=limit)
    return partner, key


@transaction.atomic
def set_partner_key_active(*, partner_id, active, actor):
    """Switch a partner key off (or on again); audited. Returns the partner."""
    partner = PartnerKey.objects.select_for_update().get(pk=partner_id)
    if partner.active != active:
        PartnerKey.objects.filter(pk=partner.pk).update(active=active)
        partner.active = active
        action = "partner_key.activated" if active else "partner_key.deactivated"
        log_event(action=action, actor=actor, partner=partner.pk)
    return partner


# --- Proof-of-work challenge (ALTCHA v2 protocol) ------------------------------------------

CHALLENGE_LIFETIME = datetime.timedelta(minutes=10)
# Plain iterated SHA-256 with one round: the widget's cheapest algorithm; the work comes from the
# number of counters the browser has to try, as with ALTCHA v1's max_number.
ALGORITHM = "SHA-256"
# A real payload is about 600 characters; anything much longer is refused unread.
MAX_PAYLOAD_LENGTH = 4096
USED_KEY_PREFIX = "booking-challenge:used:"


def challenge_enabled() -> bool:
    """Whether a hold requires a solved challenge (off only for tests/benchmarks)."""
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


def verify_challenge(payload: str) -> bool:
    """True once for a correctly solved, unexpired challenge of ours; False for anything else."""
    if not isinstance(payload, str) or not payload or len(payload) > MAX_PAYLOAD_LENGTH:
        return False
    data = _decode(payload)
    if data is None:
        return False
    result = altcha.verify_solution(data, settings.BOOKING_CHALLENGE_HMAC_KEY)
    if not result.verified:
        return False
    # The signature identifies the challenge; of two concurrent submissions of the same
    # solution only one gets through.
    expires_at = data.challenge.parameters.expires_at
    remaining = int(expires_at - timezone.now().timestamp()) + 1
    return _first_use(USED_KEY_PREFIX + data.challenge.signature, max(remaining, 1))


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
