"""Template context shared by every page."""

from django.conf import settings


def authority(request):
    return {
        "AUTHORITY_NAME": settings.AUTHORITY_NAME,
        "AUTHORITY_ADDRESS": settings.AUTHORITY_ADDRESS,
    }
