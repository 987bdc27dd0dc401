"""Deploy check of the staff login: production asks supervisors and administrators for a
second factor (registered by caseworkers.apps)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def second_factor(app_configs=None, **kwargs):
    """Warn under `check --deploy` when STAFF_2FA_REQUIRED is off while DEBUG is off."""
    if settings.DEBUG or settings.STAFF_2FA_REQUIRED:
        return []
    return [
        Warning(
            "Supervisors and administrators log in without a second factor while DEBUG is off.",
            hint="Set STAFF_2FA_REQUIRED=on (docker-compose.yml does).",
            id="wiesbaden_abh.W020",
        )
    ]
