"""System checks of the booking protections (registered when the app is ready)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

from .contact import parse_hours


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


@register()
def contact_hours(app_configs=None, **kwargs):
    """Every part of CONTACT_HOURS must read "<weekdays> <from>-<to>" (else it is not shown)."""
    parts = [part for part in settings.CONTACT_HOURS.split(";") if part.strip()]
    if len(parse_hours(settings.CONTACT_HOURS)) == len(parts):
        return []
    return [
        Warning(
            f"CONTACT_HOURS has parts that are not understood: {settings.CONTACT_HOURS!r}.",
            hint='Write e.g. "1-5 08:00-12:00; 4 14:00-18:00" (ISO weekdays, 1 = Monday).',
            id="wiesbaden_abh.W017",
        )
    ]
