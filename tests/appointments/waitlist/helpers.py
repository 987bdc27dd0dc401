"""Shared helpers of the waitlist tests: wishes in a given state, straight from the domain."""

import datetime as dt

from django.utils import timezone

from appointments.codes import hash_token, new_token
from appointments.models import Wish
from appointments.names import email_key, surname_key
from tests.factories import ServiceFactory, TeamFactory, route_all


def wish_row(*, service=None, team=None, n=0, state="active", **fields):
    """A wish row in `state` (written directly: the test starts from there); returns
    (wish, token)."""
    service = service or ServiceFactory()
    team = team or TeamFactory()
    token = new_token()
    surname = fields.pop("surname", f"Wunsch{n}")
    email = fields.pop("email", f"wish{n}@example.test")
    now = timezone.now()
    values = {
        "service": service,
        "team": team,
        "state": state,
        "surname": surname,
        "given_names": "Amal",
        "date_of_birth": dt.date(1991, 2, 3),
        "email": email,
        "language": "de",
        "surname_key": surname_key(surname),
        "email_key": email_key(email),
        "token_hash": hash_token(token),
        "registered_at": now,
        "expires_at": now + dt.timedelta(days=90),
        **fields,
    }
    return Wish.objects.create(**values), token


def routed_service(team):
    service = ServiceFactory()
    route_all(service, team)
    return service
