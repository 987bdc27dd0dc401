"""Second factor for supervisors and administrators (django-otp): an authenticator app (TOTP)
and one-time recovery codes, set up once and asked for after the password at every login.

Which accounts need it is decided here; the middleware enforces it, the views only call in.
"""

from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from appointments.audit import log_event

from .roles import ADMINISTRATOR, SUPERVISOR, roles_of

APP_DEVICE_NAME = "Authenticator-App"
RECOVERY_DEVICE_NAME = "Wiederherstellungscodes"


def is_required():
    return settings.STAFF_2FA_REQUIRED


def needs_second_factor(user, *, admin=False):
    """Whether `user` must confirm a code before using the backoffice (supervisors,
    administrators, superusers) or, with `admin`, the Django admin (every staff account)."""
    if not user.is_authenticated:
        return False
    if admin and user.is_staff:
        return True
    return user.is_superuser or bool(roles_of(user) & {SUPERVISOR, ADMINISTRATOR})


def has_device(user):
    """Whether `user` has confirmed an authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def pending_device(*, user):
    """The unconfirmed authenticator device being set up for `user` (one, made on first call;
    its secret stays the same until it is confirmed, so a reload shows the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def _clean(code):
    return "".join((code or "").split()).replace("-", "").lower()


@transaction.atomic
def confirm_setup(*, request, code):
    """Confirm the pending app with a `code` it shows; on success mark the request verified,
    replace any recovery codes by new ones and return them (shown exactly once), else None."""
    user = request.user
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("pk")
        .first()
    )
    if device is None or has_device(user) or not device.verify_token(_clean(code)):
        return None
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    device.confirmed = True
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
    codes = [StaticToken.random_token() for _ in range(settings.STAFF_2FA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    otp_login(request, device)
    log_event(action="staff.two_factor_set_up", actor=user, recovery_codes=len(codes))
    return codes


@transaction.atomic
def verify(*, request, code):
    """Check a login `code`: six digits from the app, or else one recovery code (used up).
    On success mark the request verified and return True."""
    user, code = request.user, _clean(code)
    if code.isdigit():
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    for device in devices.select_for_update().order_by("pk"):
        if device.verify_token(code):
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                log_event(
                    action="staff.recovery_code_used",
                    actor=user,
                    remaining=device.token_set.count(),
                )
            return True
    return False
