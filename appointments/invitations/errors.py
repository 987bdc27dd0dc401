"""Domain errors of the invitations (part of the BookingError hierarchy, translated messages)."""

from django.utils.translation import gettext_lazy as _

from ..errors import BookingError


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
