"""Template context shared by every page."""

from django.conf import settings

from appointments.contact import contact


def authority(request):
    return {
        "AUTHORITY_NAME": settings.AUTHORITY_NAME,
        "AUTHORITY_ADDRESS": settings.AUTHORITY_ADDRESS,
    }


def service_desk(request):
    """The contact block of the resident pages' footer (read lazily: only pages showing it)."""
    return {"service_desk": contact}
