"""A visit after the queue: taking over a colleague's resident, correcting the outcome the
same day, and the follow-up visit (e.g. card pickup); the same domain functions as the
backoffice screens."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.views import APIView

from appointments import queue

from .. import examples
from ..permissions import Caseworker as CaseworkerRole
from ..serializers import (
    FinishInputSerializer,
    FollowUpInputSerializer,
    FollowUpSlotOutputSerializer,
    FollowUpSlotQueryInputSerializer,
    QueueEntryOutputSerializer,
)
from .common import APPOINTMENT_ID, MOVE_ERRORS, STAFF, appointment_or_404, queue_entry_response

# --- The caseworker handling the visit ---------------------------------------------------------


@extend_schema(
    tags=STAFF,
    summary="Take over a resident a colleague has called or is serving (logged)",
    description=(
        "Moves on a colleague's called or served resident are refused (409 "
        "`handled_by_colleague`) until taken over."
    ),
    parameters=[APPOINTMENT_ID],
    request=None,
    responses={200: QueueEntryOutputSerializer, **MOVE_ERRORS},
    examples=[examples.QUEUE_ENTRY],
)
class TakeOverView(APIView):
    permission_classes = (CaseworkerRole,)

    def post(self, request, appointment_id):
        appointment = appointment_or_404(request, appointment_id)
        queue.take_over(appointment_id=appointment.pk, actor=request.user)
        return queue_entry_response(appointment.pk)


@extend_schema(
    tags=STAFF,
    summary="Correct the outcome of a visit finished today (audited)",
    description="409 for a visit not finished or finished on another day.",
    parameters=[APPOINTMENT_ID],
    request=FinishInputSerializer,
    responses={200: QueueEntryOutputSerializer, **MOVE_ERRORS},
    examples=[examples.FINISH, examples.QUEUE_ENTRY],
)
class CorrectOutcomeView(APIView):
    permission_classes = (CaseworkerRole,)

    def post(self, request, appointment_id):
        appointment = appointment_or_404(request, appointment_id)
        serializer = FinishInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        queue.correct_outcome(
            appointment_id=appointment.pk,
            outcome=serializer.validated_data["outcome"],
            note=serializer.validated_data["note"],
            actor=request.user,
        )
        return queue_entry_response(appointment.pk)


# --- Follow-up visits --------------------------------------------------------------------------


@extend_schema(
    tags=STAFF,
    summary="Free times (both contingents) for the appointment's follow-up visit",
    description="409 when the service has no follow-up visit.",
    parameters=[APPOINTMENT_ID, FollowUpSlotQueryInputSerializer],
    responses={200: FollowUpSlotOutputSerializer(many=True), **MOVE_ERRORS},
    examples=[examples.FOLLOW_UP_SLOT],
)
class FollowUpSlotsView(generics.ListAPIView):
    permission_classes = (CaseworkerRole,)
    serializer_class = FollowUpSlotOutputSerializer
    filter_backends = ()

    def get_queryset(self):
        appointment = appointment_or_404(self.request, self.kwargs["appointment_id"])
        query = FollowUpSlotQueryInputSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        _service, days = queue.follow_up_slots(
            appointment,
            date_from=query.validated_data["date_from"],
            date_to=query.validated_data["date_to"],
        )
        return [slot for _day, slots in days for slot in slots]


@extend_schema(
    tags=STAFF,
    summary="Book the follow-up visit (e.g. card pickup) for the same person and case",
    description="After the visit is finished; the resident gets the confirmation e-mail.",
    parameters=[APPOINTMENT_ID],
    request=FollowUpInputSerializer,
    responses={201: QueueEntryOutputSerializer, **MOVE_ERRORS},
    examples=[examples.FOLLOW_UP, examples.QUEUE_ENTRY],
)
class FollowUpBookView(APIView):
    permission_classes = (CaseworkerRole,)

    def post(self, request, appointment_id):
        appointment = appointment_or_404(request, appointment_id)
        serializer = FollowUpInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        follow_up = queue.book_follow_up(
            appointment_id=appointment.pk,
            slot_id=serializer.validated_data["slot"],
            actor=request.user,
        )
        response = queue_entry_response(follow_up.pk)
        response.status_code = status.HTTP_201_CREATED
        return response
