"""Examples shown in the OpenAPI schema (and tried first by the schema-driven tests)."""

from drf_spectacular.utils import OpenApiExample

SERVICE = OpenApiExample(
    "Service",
    response_only=True,
    value={
        "slug": "aufenthaltserlaubnis-verlaengerung",
        "name": "Extension of a residence permit",
        "description": "",
        "duration_minutes": 20,
        "bookable_online": True,
        "offline_hint": "",
        "documents": ["Passport", "Biometric photo"],
    },
)

SLOT = OpenApiExample(
    "Free time",
    response_only=True,
    value={
        "id": 4711,
        "start": "2026-12-07T08:00:00+01:00",
        "end": "2026-12-07T08:20:00+01:00",
        "free": 1,
        "team": "Team A–K",
        "location": "2nd floor, room 2.14",
    },
)

CHALLENGE = OpenApiExample(
    "Challenge",
    response_only=True,
    value={
        "parameters": {
            "algorithm": "SHA-256",
            "cost": 1,
            "keyLength": 32,
            "keyPrefix": "075c339a42848b1b488bffde5812c822",
            "nonce": "e6cadbaa15e69dec33abe1254aee7ae6",
            "salt": "219ebcb47aac606b6d1fc9dd37518868",
            "expiresAt": 1795622129,
        },
        "signature": "30820310290573751825f7cd8e0d186ea4be3a0438e19ed9489ae51b222d0f64",
    },
)

BOOKING_REQUEST = OpenApiExample(
    "Booking",
    request_only=True,
    value={
        "service": "aufenthaltserlaubnis-verlaengerung",
        "slot": 4711,
        "surname": "Yılmaz",
        "given_names": "Ayşe",
        "date_of_birth": "1990-04-23",
        "email": "ayse.yilmaz@example.org",
        "phone": "",
        "nationality": "TR",
        "language": "tr",
        "interpreter": False,
        "interpreter_language": "",
        "altcha": "eyJjaGFsbGVuZ2UiOiB7Li4ufSwgInNvbHV0aW9uIjogey4uLn19",
    },
)

BOOKING_CREATED = OpenApiExample(
    "Held",
    response_only=True,
    status_codes=["201"],
    value={
        "code": "K7M2QX9A",
        "status": "held",
        "expires_at": "2026-11-25T17:15:00+01:00",
        "start": "2026-12-07T08:00:00+01:00",
        "end": "2026-12-07T08:20:00+01:00",
    },
)

SLOT_FULL = OpenApiExample(
    "Time taken",
    response_only=True,
    status_codes=["409"],
    value={
        "detail": "This time was just taken. Please choose another time.",
        "code": "slot_full",
        "fields": {},
    },
)

INVALID = OpenApiExample(
    "Invalid fields",
    response_only=True,
    status_codes=["400"],
    value={
        "detail": "Invalid input.",
        "code": "invalid",
        "fields": {
            "email": ["Enter a valid email address."],
            "date_of_birth": ["The date of birth cannot be in the future."],
        },
    },
)

RATE_LIMITED = OpenApiExample(
    "Too many attempts",
    response_only=True,
    status_codes=["429"],
    value={
        "detail": "To keep appointments fair for everyone, we limit how often a booking can be "
        "tried. Please try again later.",
        "code": "rate_limited",
        "fields": {},
    },
)

VERIFY_REQUEST = OpenApiExample(
    "Token", request_only=True, value={"token": "q3Rz8l0a2Nw7bC5dE1fG9hJkLmNoPqRs"}
)

RESCHEDULE_REQUEST = OpenApiExample("New time", request_only=True, value={"slot": 4712})

BOOKING = OpenApiExample(
    "Booking",
    response_only=True,
    status_codes=["200"],
    value={
        "code": "K7M2QX9A",
        "status": "booked",
        "service": "aufenthaltserlaubnis-verlaengerung",
        "service_name": "Extension of a residence permit",
        "start": "2026-12-07T08:00:00+01:00",
        "end": "2026-12-07T08:20:00+01:00",
        "location": "2nd floor, room 2.14",
        "expires_at": None,
        "can_change": True,
        "documents": ["Passport", "Biometric photo"],
    },
)
