"""Examples shown in the OpenAPI schema of the staff API and the display feed."""

from drf_spectacular.utils import OpenApiExample

_ENTRY = {
    "id": 1234,
    "code": "K7M2QX9A",
    "status": "called",
    "channel": "online",
    "priority": 0,
    "priority_level": "appointment",
    "service": "aufenthaltserlaubnis-verlaengerung",
    "service_name": "Extension of a residence permit",
    "start": "2026-12-07T08:00:00+01:00",
    "end": "2026-12-07T08:20:00+01:00",
    "team": 2,
    "queue_team": 2,
    "waiting_number": "B-017",
    "checked_in_at": "2026-12-07T07:52:10+01:00",
    "first_called_at": "2026-12-07T08:03:40+01:00",
    "called_at": "2026-12-07T08:03:40+01:00",
    "call_count": 1,
    "counter": "12",
    "parked": False,
    "arrived_late": False,
    "interpreter_needed": False,
    "interpreter_language": "",
    "outcome": "",
    "waiting_minutes": 11,
    "served_by": "M. Müller",
}

QUEUE_ENTRY = OpenApiExample(
    "Queue entry", response_only=True, status_codes=["200", "201"], value=_ENTRY
)

STAFF_APPOINTMENT = OpenApiExample(
    "Appointment",
    response_only=True,
    status_codes=["200", "201"],
    value={
        **_ENTRY,
        "surname": "Yılmaz",
        "given_names": "Ayşe",
        "date_of_birth": "1990-04-23",
    },
)

ME = OpenApiExample(
    "Staff member",
    response_only=True,
    value={"username": "m.mueller", "roles": ["caseworker"]},
)

TOKEN = OpenApiExample(
    "Token", response_only=True, value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}
)

TEAM = OpenApiExample(
    "Team",
    response_only=True,
    value={
        "id": 2,
        "name": "Team B (surnames L–Z)",
        "waiting_prefix": "B",
        "location": "2nd floor",
        "counters": [{"id": 7, "number": "12"}, {"id": 8, "number": "13"}],
    },
)

CHECK_IN = OpenApiExample(
    "Check-in",
    request_only=True,
    value={"code": "K7M2-QX9A", "accept_late": False, "readmit": False},
)

WALK_IN = OpenApiExample(
    "Walk-in",
    request_only=True,
    value={
        "team": 2,
        "service": "aufenthaltserlaubnis-verlaengerung",
        "surname": "Kowalenko",
        "given_names": "Olena",
        "date_of_birth": "1985-02-11",
        "nationality": "UA",
        "email": "",
        "phone": "",
        "language": "uk",
        "interpreter": True,
        "interpreter_language": "Ukrainian",
        "urgent": True,
    },
)

CALL = OpenApiExample("Counter", request_only=True, value={"counter": 7})

CONFIRM = OpenApiExample("Confirmed", request_only=True, value={"confirm": True})

FORWARD = OpenApiExample("Team", request_only=True, value={"team": 3})

FINISH = OpenApiExample(
    "Outcome",
    request_only=True,
    value={"outcome": "application_filed", "note": "Card ordered."},
)

FOLLOW_UP_SLOT = OpenApiExample(
    "Free time",
    response_only=True,
    value={
        "id": 9876,
        "start": "2027-01-18T09:00:00+01:00",
        "end": "2027-01-18T09:20:00+01:00",
        "free": 2,
        "contingent": "internal",
    },
)

FOLLOW_UP = OpenApiExample("Time", request_only=True, value={"slot": 9876})

_PERIOD = {
    "booked": 1000,
    "kept": 830,
    "no_show": 170,
    "termintreue": 83.0,
    "cancelled": 120,
    "cancelled_by_resident": 100,
    "cancelled_by_staff": 12,
    "cancelled_by_closure": 8,
    "late_cancelled": 30,
    "walk_ins": 41,
    "waiting_minutes": 9.5,
    "processing_minutes": 17.2,
    "lead_days": 12.4,
    "offered_online": 700,
    "offered_internal": 400,
    "offered": 1100,
    "taken": 1020,
    "utilisation": 75.5,
    "cases_completed": 390,
    "visits_per_case": 2.1,
}

STATISTICS = OpenApiExample(
    "Overview",
    response_only=True,
    value={
        "filters": {"team": 2, "service": None, "channel": None},
        "figures": {
            "target": 83,
            "today": "2026-11-25",
            "rebuilt_at": "2026-11-25T02:00:12+01:00",
            "periods": {
                "month": {"start": "2026-11-01", "end": "2026-11-25", **_PERIOD, "change": 1.5},
                "previous_month": {"start": "2026-10-01", "end": "2026-10-31", **_PERIOD},
            },
            "weekly": [{"key": "2026-11-16", **_PERIOD}],
            "weekday": [{"key": 1, **_PERIOD}],
            "hour": [{"key": 8, **_PERIOD}],
        },
    },
)

DEVICE = OpenApiExample(
    "Device",
    response_only=True,
    value={
        "id": 3,
        "name": "Display 2nd floor",
        "teams": [1, 2],
        "created_at": "2026-11-02T09:12:00+01:00",
        "last_used_at": "2026-11-25T16:40:05+01:00",
        "revoked_at": None,
    },
)

DEVICE_REQUEST = OpenApiExample(
    "Device", request_only=True, value={"name": "Display 2nd floor", "teams": [1, 2]}
)

DEVICE_CREATED = OpenApiExample(
    "Created",
    response_only=True,
    status_codes=["201"],
    value={
        "id": 3,
        "name": "Display 2nd floor",
        "teams": [1, 2],
        "created_at": "2026-11-25T16:45:00+01:00",
        "last_used_at": None,
        "revoked_at": None,
        "token": "Zb2VwWQm1R3o8vJ0pY5n4xXl6cT7aHsKqE9dF2gUiLk",
    },
)

DISPLAY = OpenApiExample(
    "Calls",
    response_only=True,
    value={
        "teams": [{"id": 2, "name": "Team B"}],
        "calls": [
            {
                "waiting_number": "B-017",
                "counter": "12",
                "called_at": "2026-12-07T08:03:40+01:00",
                "repeated": False,
            }
        ],
    },
)
