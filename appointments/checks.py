"""System checks of the booking protections (registered when the app is ready)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security)
def booking_protections(app_configs=None, **kwargs):
    """Warn when the anti-bot protections of booking are off outside development.

    BOOKING_CHALLENGE=off and RATE_LIMITS=off exist for automated tests and benchmarks; in
    production they would let bots take the appointments.
    """
    if settings.DEBUG:
        return []
    warnings = []
    if not settings.BOOKING_CHALLENGE:
        warnings.append(
            Warning(
                "The booking challenge (proof of work) is switched off while DEBUG is off.",
                hint="Unset BOOKING_CHALLENGE (or set it to on) outside tests and benchmarks.",
                id="wiesbaden_abh.W001",
            )
        )
    if not settings.RATE_LIMITS:
        warnings.append(
            Warning(
                "The rate limits of booking and booking links are switched off while DEBUG is off.",
                hint="Unset RATE_LIMITS (or set it to on) outside tests and benchmarks.",
                id="wiesbaden_abh.W002",
            )
        )
    return warnings
