"""Tables of the domain, one module per topic; every public name is re-exported here.

Models hold fields, constraints and small derived properties; workflows live in the domain
modules (scheduling, booking, lifecycle). Lower modules never import higher ones:
catalogue → capacity → appointments → audit, outbox, statistics, invitations, waitlist
(protection stands alone).
"""

from .appointments import (
    ACTIVE_STATUSES,
    PLACE_HOLDING_STATUSES,
    Appointment,
    CancellationReason,
    Case,
    Channel,
    CounterChoice,
    DailySequence,
    EmailLock,
    Outcome,
    Priority,
    Status,
)
from .audit import Event
from .capacity import (
    AvailabilityVersion,
    Closure,
    Contingent,
    Counter,
    DelayedRelease,
    OpeningRule,
    Slot,
    Weekday,
)
from .catalogue import ReleaseMode, ResponsibilityRule, Service, Team
from .feedback import AccessibilityFeedback
from .invitations import (
    DeclineReason,
    Invitation,
    InvitationBatch,
    InvitationDelivery,
    InvitationState,
    InvitationWindow,
    Salutation,
)
from .outbox import WAITING_MESSAGES, OutboxMessage, OutboxStatus
from .parties import Party, PartyMode
from .protection import FallbackCounter, PartnerKey
from .rebooking import RebookingOffer
from .releases import DayRelease
from .statistics import CaseFigure, DailyCapacity, DailyFigure, HourlyFigure, StatisticsDay
from .waitlist import (
    ENDED_WISH_STATES,
    OPEN_WISH_STATES,
    DayPart,
    Offer,
    OfferState,
    UrgencyReason,
    Wish,
    WishState,
)

__all__ = [
    "ACTIVE_STATUSES",
    "ENDED_WISH_STATES",
    "OPEN_WISH_STATES",
    "PLACE_HOLDING_STATUSES",
    "WAITING_MESSAGES",
    "AccessibilityFeedback",
    "Appointment",
    "AvailabilityVersion",
    "CancellationReason",
    "Case",
    "CaseFigure",
    "Channel",
    "Closure",
    "Contingent",
    "Counter",
    "CounterChoice",
    "DailyCapacity",
    "DailyFigure",
    "DailySequence",
    "DayPart",
    "DayRelease",
    "DeclineReason",
    "DelayedRelease",
    "EmailLock",
    "Event",
    "FallbackCounter",
    "HourlyFigure",
    "Invitation",
    "InvitationBatch",
    "InvitationDelivery",
    "InvitationState",
    "InvitationWindow",
    "Offer",
    "OfferState",
    "OpeningRule",
    "OutboxMessage",
    "OutboxStatus",
    "Outcome",
    "PartnerKey",
    "Party",
    "PartyMode",
    "Priority",
    "RebookingOffer",
    "ReleaseMode",
    "ResponsibilityRule",
    "Salutation",
    "Service",
    "Slot",
    "StatisticsDay",
    "Status",
    "Team",
    "UrgencyReason",
    "Weekday",
    "Wish",
    "WishState",
]
