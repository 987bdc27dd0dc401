"""Domain errors: each carries a translated message for residents and staff.

Views turn them into form errors or messages; the API maps them to HTTP status codes.
"""

from django.utils.translation import gettext_lazy as _


class BookingError(Exception):
    """Base of all domain errors; `message` is user-facing and translated."""

    default_message = _("This action is not possible.")
    # The HTTP status the API answers with.
    http_status = 409

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class SlotFull(BookingError):
    default_message = _("This time was just taken. Please choose another time.")


class SlotUnavailable(BookingError):
    default_message = _("This time cannot be booked (any more). Please choose another time.")


class LimitReached(BookingError):
    default_message = _(
        "You already have an appointment for this concern. Please use the link in your "
        "confirmation e-mail to change or cancel it."
    )


class ServiceNotBookable(BookingError):
    default_message = _("This concern cannot be booked online.")


class NotResponsible(BookingError):
    default_message = _("No team is responsible for this concern and name. Please call us.")


class InvalidSurname(BookingError):
    http_status = 400
    default_message = _("Please enter your surname in Latin letters, as in your passport.")


class InvalidName(BookingError):
    """A name outside the name policy (names.clean_name): controls, digits, emoji, markup."""

    http_status = 400
    default_message = _("Please enter the name with letters, as in your passport.")


class HoldExpired(BookingError):
    default_message = _(
        "The reservation has expired because it was not confirmed in time. Please book again."
    )


class TransitionNotAllowed(BookingError):
    default_message = _("This step is not possible in the appointment's current state.")


class TooEarly(BookingError):
    default_message = _("Check-in opens shortly before the appointment. Please come back later.")


class TooLate(BookingError):
    default_message = _(
        "The appointment time has passed too long ago. Please book a new appointment or ask "
        "for an urgent visit."
    )


class WrongDay(BookingError):
    default_message = _("This appointment is not for today.")


class WalkInsExhausted(BookingError):
    default_message = _("Today's places for visits without appointment are used up.")


class WrongTeam(BookingError):
    """The walk-in form names a team other than the responsible one, without an override."""

    default_message = _("Another team is responsible for this concern and surname.")


class ReasonRequired(BookingError):
    default_message = _("Please give a reason for this exception.")


class QueueEmpty(BookingError):
    default_message = _("Nobody is waiting.")


class NoCounter(BookingError):
    http_status = 400
    default_message = _("Please choose your counter first: every call shows it on the display.")


class RecallTooSoon(BookingError):
    default_message = _("Please wait a moment before calling again.")


class ConfirmationRequired(BookingError):
    """A step with serious consequences (e.g. a no-show): the caller must confirm it."""

    default_message = _("Please confirm this step.")


class HandledByColleague(BookingError):
    default_message = _(
        "A colleague has called or is serving this resident. Take over explicitly if you "
        "really mean to."
    )


class NoFollowUp(BookingError):
    default_message = _("This concern has no follow-up visit.")


class CounterExists(BookingError):
    http_status = 400
    default_message = _("This team already has a counter with this name.")


class NotFound(BookingError):
    http_status = 404
    default_message = _("No appointment was found for this code and link.")


class NoLongerStored(NotFound):
    """The appointment exists, but its personal data were removed (retention period over)."""

    default_message = _(
        "The personal data of this appointment are no longer stored: "
        "its retention period has ended."
    )


class StillActive(BookingError):
    default_message = _(
        "This appointment is still ahead or under way: cancel it before its data are removed."
    )


class TooManyAttempts(BookingError):
    http_status = 429
    default_message = _(
        "To keep appointments fair for everyone, we limit how often a booking can be tried. "
        "Please try again later."
    )

    def __init__(self, message=None, *, retry_after=None, retry_at=None):
        super().__init__(message)
        self.retry_after = retry_after  # seconds until the limit's window ends
        self.retry_at = retry_at  # that moment (aware)


class ChallengeFailed(BookingError):
    http_status = 400
    default_message = _(
        "The automatic anti-bot check did not complete. Please wait until it shows as done, "
        "then send the form again."
    )


class InvitationTransitionNotAllowed(TransitionNotAllowed):
    default_message = _("This step is not possible in the invitation's current state.")


# --- Invitations ---------------------------------------------------------------------------


class InvitationError(BookingError):
    default_message = _("This invitation cannot be changed (any more).")


class ImportRefused(InvitationError):
    http_status = 400
    default_message = _("The file was not imported.")


class NotAnswerable(InvitationError):
    default_message = _(
        "This invitation can no longer be answered here. Please contact the office if you "
        "need a new appointment."
    )


class OutsideWindow(InvitationError):
    default_message = _("This time is not available for your invitation. Please choose another.")


class ErasureNotPossible(BookingError):
    default_message = _(
        "Your visit is under way, so your data cannot be deleted right now. Please ask at the "
        "counter or try again after the visit."
    )


class FeedbackNotAnswerable(BookingError):
    default_message = _("This feedback has already been answered or has no e-mail address.")


class RebookingUsed(BookingError):
    default_message = _(
        "This rebooking link has already been used. Your new appointment is in the e-mail we sent."
    )


class RebookingExpired(BookingError):
    http_status = 410
    default_message = _(
        "This rebooking link has expired. Please book a new appointment on the start page."
    )


# --- Waitlist ------------------------------------------------------------------------------


class WishTransitionNotAllowed(TransitionNotAllowed):
    default_message = _("This step is not possible in the wish's current state.")


class OfferTransitionNotAllowed(TransitionNotAllowed):
    default_message = _("This offer has already been answered or withdrawn.")


class WishExists(LimitReached):
    default_message = _(
        "There is already an appointment wish for this concern for this person or e-mail "
        "address. Please use the link in the e-mail we sent you."
    )


class WishNotFound(NotFound):
    default_message = _("No appointment wish was found for this link.")


class OfferExpired(BookingError):
    default_message = _(
        "The time to accept this offer has run out, so the place went to the next person on the "
        "waitlist. Your wish stays on the waitlist."
    )


class OfferAlreadyAccepted(BookingError):
    default_message = _(
        "You have already accepted this offer. Your appointment and its link are in the "
        "confirmation e-mail we sent you."
    )


class WishNotChangeable(BookingError):
    default_message = _("This appointment wish has ended and can no longer be changed.")


class PartyNotPossible(BookingError):
    default_message = _("This group booking is not possible. Please check the persons.")
