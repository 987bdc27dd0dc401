"""Prepared reads shared by screens (so templates never trigger queries)."""

from .codes import is_valid_code
from .models import Appointment, Service


def bookable_services():
    return Service.objects.filter(active=True).order_by("sort_order", "name")


def appointment_for_display(code):
    if not is_valid_code(code):
        return None
    return (
        Appointment.objects.select_related("slot", "slot__team", "service")
        .filter(code=code)
        .first()
    )
