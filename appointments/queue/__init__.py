"""The visit in the office: check-in with waiting numbers, walk-ins, the team queue and its
order, the moves (call, recall, park, forward, serve, finish), no-shows and follow-up visits.

Every move goes through lifecycle.move (a guarded UPDATE on the status), so double clicks and
two caseworkers acting on one person at once resolve to one winner.
"""

from .arrival import add_walk_in, check_in, next_waiting_number
from .calls import (
    HANDLED,
    call,
    call_next,
    choose_counter,
    counter_of_day,
    ensure_handler,
    forward,
    mark_no_show,
    park,
    recall,
    staff_name,
    take_over,
)
from .order import rank, sort_key, waiting
from .service import (
    book_follow_up,
    correct_outcome,
    finish,
    first_follow_up_week,
    follow_up_slots,
    start_service,
)

__all__ = [
    "HANDLED",
    "add_walk_in",
    "book_follow_up",
    "call",
    "call_next",
    "check_in",
    "choose_counter",
    "correct_outcome",
    "counter_of_day",
    "ensure_handler",
    "finish",
    "first_follow_up_week",
    "follow_up_slots",
    "forward",
    "mark_no_show",
    "next_waiting_number",
    "park",
    "rank",
    "recall",
    "sort_key",
    "staff_name",
    "start_service",
    "take_over",
    "waiting",
]
