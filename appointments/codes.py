"""Booking codes people type and secret tokens only the resident holds (only hashes stored)."""

import hashlib
import hmac
import secrets

# 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L): 31^8 ≈ 8.5e11 codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Manage tokens: 24 random bytes (192 bits), URL-safe.
TOKEN_BYTES = 24


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code):
    """Codes are typed by people: ignore case, spaces and dashes."""
    return "".join((code or "").split()).replace("-", "").upper()


def is_valid_code(code):
    """Whether `code` (normalised) could be a booking code at all: checked before any query,
    so that odd input (e.g. NUL bytes, which PostgreSQL refuses) is simply "not found"."""
    return len(code) == CODE_LENGTH and not set(code) - set(CODE_ALPHABET)


def new_token():
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(appointment, token):
    return bool(token) and hmac.compare_digest(appointment.token_hash, hash_token(token))
