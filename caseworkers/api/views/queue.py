"""The office day: teams, the queue, reception (check-in, walk-ins), the caseworker's moves
and follow-up visits; each calls the function of appointments.queue the backoffice calls.

Answers that show a resident's name write an audit entry, as the backoffice screens do; the
queue list itself shows numbers, services and times only.
"""

import functools

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.views import APIView

from appointments import parties, queue, selectors
from appointments.api.errors import error_responses
from appointments.codes import normalize_code
from appointments.errors import NoLongerStored
from appointments.models import Appointment, Counter, Priority, Status, Team
from appointments.people import Person

from ...access import team_or_404
from ...roles import ADMINISTRATOR, SUPERVISOR, roles_of
from .. import examples
from ..permissions import Caseworker as CaseworkerRole
from ..permissions import QueueReader, Reception, Staff
from ..serializers import (
    CallInputSerializer,
    CheckInInputSerializer,
    ConfirmInputSerializer,
    FinishInputSerializer,
    ForwardInputSerializer,
    QueueEntryOutputSerializer,
    QueueQueryInputSerializer,
    StaffAppointmentOutputSerializer,
    TeamOutputSerializer,
    WalkInInputSerializer,
    counter_of,
)
from .common import (
    APPOINTMENT_ID,
    DENIED,
    MOVE_ERRORS,
    STAFF,
    TEAM_ID,
    appointment_or_404,
    named_appointment_response,
    queue_entry_response,
)

# --- Teams and the queue -----------------------------------------------------------------------


@extend_schema(
    tags=STAFF,
    summary="Active teams with their counters",
    responses={200: TeamOutputSerializer(many=True), **error_responses(404), **DENIED},
    examples=[examples.TEAM],
)
class TeamListView(generics.ListAPIView):
    permission_classes = (Staff,)
    serializer_class = TeamOutputSerializer
    filter_backends = ()

    def get_queryset(self):
        counters = Counter.objects.filter(active=True).order_by("number")
        return (
            Team.objects.filter(active=True)
            .prefetch_related(Prefetch("counters", queryset=counters, to_attr="active_counters"))
            .order_by("name")
        )


class QueueFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=Status.choices, help_text="Repeatable.")
    service = filters.CharFilter(field_name="service__slug", help_text="Service slug.")

    class Meta:
        model = Appointment
        fields = ["status", "service"]


@extend_schema(
    tags=STAFF,
    summary="A team's day: arrivals, the waiting queue, calls, visits, outcomes",
    description=(
        "Appointments booked with the team or forwarded to it (held and expired ones left "
        "out), in appointment order. Waiting numbers, services and times only: a resident's "
        "name is read from /staff/appointments/{id}/ (audited)."
    ),
    parameters=[TEAM_ID, QueueQueryInputSerializer],
    responses={
        200: QueueEntryOutputSerializer(many=True),
        **error_responses(400, 404),
        **DENIED,
    },
    examples=[examples.QUEUE_ENTRY],
)
class TeamQueueView(generics.ListAPIView):
    permission_classes = (QueueReader,)
    serializer_class = QueueEntryOutputSerializer
    filterset_class = QueueFilter
    queryset = Appointment.objects.none()  # for the schema; the day comes from get_queryset

    def get_queryset(self):
        team = team_or_404(self.request, self.kwargs["team_id"])
        query = QueueQueryInputSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.team_day(team, day=query.validated_data.get("date"))


@extend_schema(
    tags=STAFF,
    summary="One appointment with the resident's name (the access is audited)",
    parameters=[APPOINTMENT_ID],
    responses={200: StaffAppointmentOutputSerializer, **error_responses(404), **DENIED},
    examples=[examples.STAFF_APPOINTMENT],
)
class AppointmentDetailView(APIView):
    permission_classes = (QueueReader,)

    def get(self, request, appointment_id):
        appointment = appointment_or_404(request, appointment_id)
        return named_appointment_response(request, appointment.pk)


# --- Reception ---------------------------------------------------------------------------------


@extend_schema(
    tags=STAFF,
    summary="Check a resident in by booking code: a waiting number and the team's queue",
    description=(
        "409 when the appointment is not booked, not for today, too early, or too late "
        "(then `accept_late` checks in all the same). A resident marked as not there "
        "(no-show) today is admitted again with `readmit` (409 `confirmation_required` "
        "without it)."
    ),
    request=CheckInInputSerializer,
    responses={200: StaffAppointmentOutputSerializer, **MOVE_ERRORS},
    examples=[examples.CHECK_IN, examples.STAFF_APPOINTMENT],
)
class CheckInView(APIView):
    permission_classes = (Reception,)

    def post(self, request):
        serializer = CheckInInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        appointment = (
            Appointment.objects.filter(code=normalize_code(data["code"]))
            .only("pk", "pseudonymised_at")
            .first()
        )
        if appointment is None:
            raise exceptions.NotFound(_("No appointment found. Check the code or search by name."))
        if appointment.is_pseudonymised:
            raise NoLongerStored()
        parties.check_in_party(  # a group booking is checked in at once, one number
            appointment_id=appointment.pk,
            actor=request.user,
            accept_late=data["accept_late"],
            readmit=data["readmit"],
        )
        return named_appointment_response(request, appointment.pk)


@extend_schema(
    tags=STAFF,
    summary="Add an urgent visit without appointment to a team's queue",
    description="From the team's daily walk-in contingent (409 when it is used up).",
    request=WalkInInputSerializer,
    responses={201: StaffAppointmentOutputSerializer, **MOVE_ERRORS},
    examples=[examples.WALK_IN, examples.STAFF_APPOINTMENT],
)
class WalkInView(APIView):
    permission_classes = (Reception,)

    def post(self, request):
        serializer = WalkInInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = Person.from_data(data)
        appointment = queue.add_walk_in(
            team=data["team"],
            service=data["service"],
            person=person,
            priority=Priority.EMERGENCY if data["urgent"] else Priority.WALK_IN,
            override_reason=data["override_reason"],
            beyond_contingent=data["beyond_contingent"],
            beyond_reason=data["beyond_reason"],
            by_supervisor=bool(roles_of(request.user) & {SUPERVISOR, ADMINISTRATOR}),
            actor=request.user,
        )
        return named_appointment_response(
            request, appointment.pk, status_code=status.HTTP_201_CREATED
        )


# --- The caseworker's moves --------------------------------------------------------------------


def _counter(request, team, counter_id):
    """The counter sent (remembered for the caller's day from now on), else the one the
    caller chose earlier today; None makes the call a 400."""
    if counter_id is not None:
        counter = counter_of(team.pk if team else None, counter_id)
        return queue.choose_counter(user=request.user, counter=counter)
    return queue.counter_of_day(user=request.user, team=team)


@extend_schema(
    tags=STAFF,
    summary="Call the next waiting resident of the team (by the queue order)",
    description=(
        "Emergencies first, then appointments that are due, with a walk-in every "
        "QUEUE_WALKIN_EVERY_N_CALLS calls (README: queue order). 409 when nobody is waiting, "
        "400 `no_counter` without a counter (sent or chosen today). Two callers never get "
        "the same person."
    ),
    parameters=[TEAM_ID],
    request=CallInputSerializer,
    responses={200: StaffAppointmentOutputSerializer, **MOVE_ERRORS},
    examples=[examples.CALL, examples.STAFF_APPOINTMENT],
)
class CallNextView(APIView):
    permission_classes = (CaseworkerRole,)

    def post(self, request, team_id):
        team = team_or_404(request, team_id)
        serializer = CallInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        counter = _counter(request, team, serializer.validated_data.get("counter"))
        called = queue.call_next(team=team, counter=counter, actor=request.user)
        return named_appointment_response(request, called.pk)


@extend_schema(
    tags=STAFF,
    summary="Call one specific waiting resident",
    parameters=[APPOINTMENT_ID],
    request=CallInputSerializer,
    responses={200: StaffAppointmentOutputSerializer, **MOVE_ERRORS},
    examples=[examples.CALL, examples.STAFF_APPOINTMENT],
)
class CallView(APIView):
    permission_classes = (CaseworkerRole,)

    def post(self, request, appointment_id):
        appointment = appointment_or_404(request, appointment_id)
        serializer = CallInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        counter = _counter(
            request, appointment.queue_team, serializer.validated_data.get("counter")
        )
        queue.call(appointment_id=appointment.pk, counter=counter, actor=request.user)
        return named_appointment_response(request, appointment.pk)


class MoveView(APIView):
    """A move without input: recall, park, start, no-show."""

    permission_classes = (CaseworkerRole,)
    move = None

    def post(self, request, appointment_id):
        appointment = appointment_or_404(request, appointment_id)
        self.move(appointment_id=appointment.pk, actor=request.user)
        return queue_entry_response(appointment.pk)


def _move_schema(summary, description=""):
    return extend_schema(
        tags=STAFF,
        summary=summary,
        description=description,
        parameters=[APPOINTMENT_ID],
        request=None,
        responses={200: QueueEntryOutputSerializer, **MOVE_ERRORS},
        examples=[examples.QUEUE_ENTRY],
    )


@extend_schema(
    tags=STAFF,
    summary="Call a called resident again",
    description=(
        "Not sooner than QUEUE_RECALL_MIN_SECONDS after the last call (409 `recall_too_soon`). "
        "After the configured number of unanswered calls the resident counts as not there, "
        "only with `confirm` (409 `confirmation_required` without it)."
    ),
    parameters=[APPOINTMENT_ID],
    request=ConfirmInputSerializer,
    responses={200: QueueEntryOutputSerializer, **MOVE_ERRORS},
    examples=[examples.CONFIRM, examples.QUEUE_ENTRY],
)
class RecallView(APIView):
    permission_classes = (CaseworkerRole,)

    def post(self, request, appointment_id):
        appointment = appointment_or_404(request, appointment_id)
        serializer = ConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        queue.recall(
            appointment_id=appointment.pk,
            counter=queue.counter_of_day(user=request.user, team=appointment.queue_team),
            actor=request.user,
            confirm=serializer.validated_data["confirm"],
        )
        return queue_entry_response(appointment.pk)


@_move_schema(
    "Send a called or served resident back to wait (not called by “next”)",
    "The calls start anew; the waiting time counts from the first arrival.",
)
class ParkView(MoveView):
    move = staticmethod(queue.park)


@_move_schema("Start serving a called resident")
class StartView(MoveView):
    move = staticmethod(queue.start_service)


@_move_schema(
    "Mark a resident as not there (no-show)",
    "The request is the confirmation (a client asks its user before sending it). Reception "
    "readmits a resident who turns up the same day (check-in with `readmit`).",
)
class NoShowView(MoveView):
    move = staticmethod(functools.partial(queue.mark_no_show, confirm=True))


@extend_schema(
    tags=STAFF,
    summary="Hand a called or served resident on to another team's queue",
    description="The calls start anew; the waiting time counts from the first arrival.",
    parameters=[APPOINTMENT_ID],
    request=ForwardInputSerializer,
    responses={200: QueueEntryOutputSerializer, **MOVE_ERRORS},
    examples=[examples.FORWARD, examples.QUEUE_ENTRY],
)
class ForwardView(APIView):
    permission_classes = (CaseworkerRole,)

    def post(self, request, appointment_id):
        appointment = appointment_or_404(request, appointment_id)
        serializer = ForwardInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        queue.forward(
            appointment_id=appointment.pk,
            team=serializer.validated_data["team"],
            actor=request.user,
        )
        return queue_entry_response(appointment.pk)


@extend_schema(
    tags=STAFF,
    summary="Finish the visit with its outcome and an internal note",
    parameters=[APPOINTMENT_ID],
    request=FinishInputSerializer,
    responses={200: QueueEntryOutputSerializer, **MOVE_ERRORS},
    examples=[examples.FINISH, examples.QUEUE_ENTRY],
)
class FinishView(APIView):
    permission_classes = (CaseworkerRole,)

    def post(self, request, appointment_id):
        appointment = appointment_or_404(request, appointment_id)
        serializer = FinishInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        queue.finish(
            appointment_id=appointment.pk,
            outcome=serializer.validated_data["outcome"],
            note=serializer.validated_data["note"],
            actor=request.user,
        )
        return queue_entry_response(appointment.pk)
