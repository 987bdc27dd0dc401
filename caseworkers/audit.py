"""Audit entries for staff access to residents' personal data (DSGVO: who saw what, when).

The entry names the appointment, the staff member and the screen, never the data itself.
"""

from appointments.audit import log_event

VIEWED = "viewed"
EXPORTED = "exported"


def log_personal_data_access(*, request, appointment, what, **details):
    """Write a `personal_data.viewed` or `personal_data.exported` event for the logged-in user.

    `what` is VIEWED (a screen showed a resident's data) or EXPORTED (a file such as the day
    list's CSV); `appointment` may be None for an export of many, then pass e.g. `count=`.
    `details` must not hold personal data: ids, dates and counts only.
    """
    if what not in (VIEWED, EXPORTED):
        raise ValueError(f"what must be {VIEWED!r} or {EXPORTED!r}, not {what!r}")
    match = getattr(request, "resolver_match", None)
    return log_event(
        action=f"personal_data.{what}",
        appointment=appointment,
        actor=getattr(request, "user", None),
        view=match.view_name if match else "",
        **details,
    )
