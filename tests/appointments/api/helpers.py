"""Steps of the public API tests: booking payloads, the token from the mail, a solved challenge."""

import re

import altcha
from django.core import mail

from appointments.models import OutboxMessage
from tests.mails import written


def token_from_mail(appointment_code):
    """The secret manage token from the verification e-mail: in the outbox row as the worker
    writes it (a booking's mails are stored unwritten), or (once sent after a real commit, when
    the row's body is emptied) in Django's test mailbox."""
    bodies = [
        written(message).text_body
        for message in OutboxMessage.objects.filter(appointment__code=appointment_code)
    ]
    bodies += [message.body for message in mail.outbox]
    for body in bodies:
        match = re.search(rf"/{appointment_code}/\S*[?&]t=([A-Za-z0-9_\-]+)", body)
        if match:
            return match.group(1)
    raise AssertionError(f"no e-mail with a link for {appointment_code}")


def surname_of(n):
    """A distinct surname per number, in letters only (a name holds no digits)."""
    return "Muster" + "".join("abcdefghij"[int(digit)] for digit in str(n))


def booking_payload(service, slot, n=0, **overrides):
    values = {
        "service": service.slug,
        "slot": slot.pk,
        "surname": surname_of(n),
        "given_names": "Erika",
        "date_of_birth": "1990-01-01",
        "email": f"erika{n}@example.test",
        "nationality": "TR",
        "language": "de",
    }
    values.update(overrides)
    return values


def solve(challenge_data):
    """The payload the ALTCHA widget would send for a challenge from GET /api/v1/challenge/."""
    issued = altcha.Challenge.from_dict(challenge_data)
    return altcha.Payload(issued, altcha.solve_challenge(issued)).to_base64()


def hold_on_the_web(client, service, slot):
    """A resident takes a place through the web wizard (concern, time, details)."""
    base = f"/de/buchen/{service.slug}"
    assert client.post(f"{base}/", {"surname": "Yılmaz", "nationality": "TR"}).status_code == 302
    assert client.post(f"{base}/zeit/", {"slot": slot.pk}).status_code == 302
    details = {
        "given_names": "Ayşe",
        "date_of_birth": "1990-04-23",
        "email": "ayse@example.test",
        "email_repeat": "ayse@example.test",
        "phone": "",
        "language": "tr",
        "consent": "on",
    }
    return client.post(f"{base}/daten/", details)
