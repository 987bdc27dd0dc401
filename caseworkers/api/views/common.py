"""What the staff API views share: schema pieces and the appointment answers."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.response import Response

from appointments.api.errors import error_responses
from appointments.models import Appointment

from ...access import visit_or_404
from ...audit import VIEWED, log_personal_data_access
from ..serializers import (
    QueueEntryOutputSerializer,
    StaffAppointmentOutputSerializer,
)

STAFF = ["staff"]
DENIED = error_responses(401, 403)
MOVE_ERRORS = error_responses(400, 401, 403, 404, 409)
APPOINTMENT_ID = OpenApiParameter(
    "appointment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Appointment id."
)
TEAM_ID = OpenApiParameter("team_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def appointments_for_staff():
    return Appointment.objects.select_related(
        "slot", "service", "counter", "queue_team", "served_by"
    )


def appointment_or_404(request, appointment_id):
    """An appointment the caller may work on (caseworkers/access.py: today's, own team's),
    else 404."""
    return visit_or_404(request, appointments_for_staff(), appointment_id)


def _fresh(appointment_id):
    # after a move the caller made: it may now be another team's (forwarded) or another
    # day's (a follow-up), and the answer still belongs to the caller
    return get_object_or_404(appointments_for_staff(), pk=appointment_id)


def queue_entry_response(appointment_id):
    """The queue entry after a move (fresh from the database)."""
    return Response(QueueEntryOutputSerializer(_fresh(appointment_id)).data)


def named_appointment_response(request, appointment_id, *, status_code=status.HTTP_200_OK):
    """The appointment with the resident's name; the access is audited."""
    appointment = _fresh(appointment_id)
    log_personal_data_access(request=request, appointment=appointment, what=VIEWED, via="api")
    return Response(StaffAppointmentOutputSerializer(appointment).data, status=status_code)
