"""Django admin for administrators, one module per topic; importing them registers the pages.

Capacity (opening rules, closures, counters) changes only through appointments.capacity, as on
the capacity screen, so it is logged and takes effect; state the domain owns is read-only.
"""

from . import appointments, capacity, catalogue, invitations, outbox, waitlist  # noqa: F401
