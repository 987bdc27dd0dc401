"""The system check that warns when the booking protections are off in production."""

from django.core import checks


def _ours(messages):
    return sorted(m.id for m in messages if m.id.startswith("wiesbaden_abh."))


def test_switched_off_protections_warn_outside_debug(settings):
    settings.DEBUG = False
    settings.BOOKING_CHALLENGE = False
    settings.RATE_LIMITS = False
    found = checks.run_checks(tags=[checks.Tags.security])
    assert _ours(found) == ["wiesbaden_abh.W001", "wiesbaden_abh.W002"]
    assert all(m.level == checks.WARNING for m in found if m.id.startswith("wiesbaden_abh."))


def test_one_switched_off_protection_warns_alone(settings):
    settings.DEBUG = False
    settings.BOOKING_CHALLENGE = True
    settings.RATE_LIMITS = False
    assert _ours(checks.run_checks()) == ["wiesbaden_abh.W002"]


def test_no_warning_in_development_or_with_protections_on(settings):
    settings.DEBUG = True
    settings.BOOKING_CHALLENGE = settings.RATE_LIMITS = False
    assert _ours(checks.run_checks()) == []
    settings.DEBUG = False
    settings.BOOKING_CHALLENGE = settings.RATE_LIMITS = True
    assert _ours(checks.run_checks()) == []
