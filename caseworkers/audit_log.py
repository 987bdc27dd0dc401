"""How the audit log screen reads: one description per dotted action, and labelled details.

ACTION_DESCRIPTIONS must name every action written anywhere in the code (a test greps
log_event( and log_personal_data_access( and fails on a new action without a description).
Details are rendered as "label: value" pairs; ids stay ids (the screen holds no personal data).
"""

from django.utils.translation import gettext_lazy as _

ACTION_DESCRIPTIONS = {
    # Appointments: lifecycle moves (appointment.<status>) and other changes.
    "appointment.held": _("Appointment reserved (not yet confirmed)"),
    "appointment.booked": _("Appointment booked"),
    "appointment.checked_in": _("Resident checked in at reception"),
    "appointment.called": _("Resident called to a counter"),
    "appointment.in_service": _("Service started"),
    "appointment.completed": _("Service finished"),
    "appointment.cancelled": _("Appointment cancelled"),
    "appointment.expired": _("Reservation expired"),
    "appointment.verification_resent": _("Verification e-mail sent again"),
    "appointment.no_show": _("Marked as not appeared"),
    "appointment.rescheduled": _("Appointment moved to another time"),
    "party.booked": _("Group booking made (one booking for several persons)"),
    "appointment.attendance_confirmed": _("Resident confirmed attendance"),
    "appointment.outcome_corrected": _("Outcome of the visit corrected"),
    "appointment.taken_over": _("Resident taken over from a colleague"),
    "appointment.personal_data_erased": _("Personal data erased on request"),
    "appointment.pseudonymised": _("Personal data pseudonymised (retention period over)"),
    "appointment.link_reissued": _("New manage link sent on request (the old link ended)"),
    # Access to personal data.
    "personal_data.viewed": _("Personal data viewed"),
    "personal_data.exported": _("Personal data exported"),
    "privacy_request.searched": _("Search for a data subject request"),
    # Capacity.
    "opening_rule.created": _("Opening rule created"),
    "opening_rule.changed": _("Opening rule changed"),
    "opening_rule.deleted": _("Opening rule deleted"),
    "closure.created": _("Closure entered"),
    "closure.deleted": _("Closure removed"),
    "counter.created": _("Counter created"),
    "counter.changed": _("Counter changed"),
    # Invitations (invitation.<state> and batch actions).
    "invitation.imported": _("Invitation imported"),
    "invitation.no_place": _("Invitation: no free place in the window"),
    "invitation.failed": _("Invitation could not be allocated"),
    "invitation.allocated": _("Invitation: appointment reserved"),
    "invitation.sent": _("Invitation sent"),
    "invitation.confirmed": _("Invitation confirmed by the resident"),
    "invitation.rescheduled": _("Invited appointment moved by the resident"),
    "invitation.declined": _("Invitation declined by the resident"),
    "invitation.no_answer": _("Invitation unanswered (reservation kept)"),
    "invitation.released": _("Invitation unanswered (reservation released)"),
    "invitation.cancelled": _("Invitation cancelled by the office"),
    "invitation.kept": _("Invited appointment attended"),
    "invitation.no_show": _("Invited resident did not appear"),
    "invitation.reminded": _("Reminder for an invitation sent"),
    "invitation.batch_imported": _("Invitation list imported"),
    "invitation.allocation_requested": _("Allocation of an invitation list started"),
    "invitation.sending_requested": _("Sending of an invitation list started"),
    # Waitlist: wishes (wish.<state>) and offers of freed places (offer.<state>).
    "wish.pending": _("Appointment wish registered (e-mail not yet confirmed)"),
    "wish.active": _("Appointment wish confirmed and waiting"),
    "wish.offered": _("Appointment wish: a place was offered"),
    "wish.paused": _("Appointment wish paused (offers let expire)"),
    "wish.booked": _("Appointment wish fulfilled: appointment booked"),
    "wish.withdrawn": _("Appointment wish withdrawn"),
    "wish.expired": _("Appointment wish expired"),
    "wish.renewed": _("Appointment wish renewed by the resident"),
    "wish.changed": _("Appointment wish: preferences changed"),
    "wish.pseudonymised": _("Appointment wish: personal data pseudonymised"),
    "offer.open": _("Waitlist offer: place held and offered"),
    "offer.accepted": _("Waitlist offer accepted"),
    "offer.declined": _("Waitlist offer declined"),
    "offer.expired": _("Waitlist offer expired unanswered"),
    "offer.withdrawn": _("Waitlist offer withdrawn"),
    "day.released": _("Released day offered to the waitlist first (allocation mode)"),
    "service.release_policy": _("Release mode or reconfirmation of a service changed"),
    # Feedback, messages, system jobs.
    "feedback.received": _("Feedback received"),
    "feedback.answered": _("Feedback answered"),
    "outbox.resent": _("Failed message sent again"),
    "retention.applied": _("Retention periods applied (deletion run)"),
    # Rebooking after the office cancelled (closure, changed opening hours).
    "rebooking.offered": _("Priority rebooking link sent"),
    "rebooking.used": _("Rebooked through the priority link"),
    # Walk-ins admitted by exception.
    "walk_in.team_overridden": _("Walk-in admitted to another team than the responsible one"),
    "walk_in.beyond_contingent": _("Emergency admitted beyond the day's walk-in places"),
    "statistics.nightly_rebuild": _("Statistics rebuilt overnight"),
    # Staff accounts and devices.
    "partner_key.created": _("Partner key of a counselling office created"),
    "partner_key.deactivated": _("Partner key of a counselling office deactivated"),
    "partner_key.activated": _("Partner key of a counselling office activated again"),
    "api_token.issued": _("API token issued"),
    "api_token.revoked": _("API token revoked"),
    "device_token.created": _("Device token created"),
    "device_token.issued": _("Device token issued"),
    "device_token.revoked": _("Device token revoked"),
    "staff.two_factor_set_up": _("Second factor set up"),
    "staff.recovery_code_used": _("Recovery code used for login"),
}

FIELD_LABELS = {
    "active": _("active"),
    "batch": _("invitation list no."),
    "by": _("by"),
    "by_supervisor": _("by a supervisor"),
    "cancelled": _("cancelled"),
    "capacity": _("places per slot"),
    "channel": _("channel"),
    "closure": _("closure no."),
    "count": _("number"),
    "counter": _("counter"),
    "day": _("day"),
    "days": _("days"),
    "device": _("device no."),
    "end": _("until"),
    "feedback": _("feedback no."),
    "figures": _("figures"),
    "format": _("format"),
    "from_outcome": _("previous outcome"),
    "from_slot": _("previous slot"),
    "from_state": _("previous state"),
    "from_status": _("previous status"),
    "from_user": _("taken over from"),
    "invitation": _("invitation no."),
    "message": _("message no."),
    "messages_forgotten": _("messages forgotten"),
    "name": _("name"),
    "note_changed": _("note changed"),
    "number": _("waiting number"),
    "online_capacity": _("of these online"),
    "offer": _("offer no."),
    "outcome": _("outcome"),
    "priority": _("priority"),
    "reason": _("reason"),
    "recovery_codes": _("recovery codes"),
    "remaining": _("remaining"),
    "rows": _("rows"),
    "rule": _("rule no."),
    "skipped": _("skipped"),
    "slot": _("slot no."),
    "slot_minutes": _("slot length (min.)"),
    "start": _("from"),
    "status": _("status"),
    "team": _("team no."),
    "teams": _("teams"),
    "to_slot": _("new slot"),
    "valid_from": _("valid from"),
    "valid_until": _("valid until"),
    "via": _("via"),
    "view": _("screen"),
    "weekday": _("weekday"),
    "wish": _("appointment wish no."),
    "lottery_seed": _("lottery seed"),
    "lottery_ticket": _("lottery ticket"),
    "rank": _("rank"),
    "candidates": _("candidates"),
    "service": _("service no."),
    "offers": _("offers made"),
    "public_at": _("public from"),
    "waiting": _("waiting wishes"),
    "release_mode": _("release mode"),
    "reconfirmation_days": _("reconfirmation days"),
}

VALUE_WORDS = {True: _("yes"), False: _("no"), None: "–"}


def describe_action(action):
    """The readable description of a dotted action (the action itself if none is known)."""
    return ACTION_DESCRIPTIONS.get(action, action)


def _value(value):
    if isinstance(value, bool) or value is None:
        return VALUE_WORDS[value]
    if isinstance(value, list | tuple):
        return ", ".join(str(_value(item)) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key} {_value(item)}" for key, item in value.items())
    return value


def describe_details(data):
    """The event's payload as (label, value) pairs in a stable order, labels translated."""
    return [
        (FIELD_LABELS.get(key, key.replace("_", " ")), _value(value))
        for key, value in sorted((data or {}).items())
    ]
