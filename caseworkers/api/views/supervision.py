"""Supervisors: the statistics figures and the device tokens of displays and kiosks."""

from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments.api.errors import error_responses
from appointments.audit import log_event
from appointments.statistics import overview_figures

from ...models import DeviceToken
from .. import examples
from ..permissions import Supervisor
from ..serializers import (
    DeviceCreatedOutputSerializer,
    DeviceInputSerializer,
    DeviceOutputSerializer,
    StatisticsOutputSerializer,
    StatisticsQueryInputSerializer,
)
from .common import (
    DENIED,
    STAFF,
)

# --- Statistics --------------------------------------------------------------------------------


@extend_schema(
    tags=STAFF,
    summary="Attendance figures (Termintreue, counts, waiting times, utilisation)",
    description=(
        "The figures of the supervisors' overview report for the given filters: this and the "
        "previous week, month and year (Termintreue, kept, no-show, cancelled, waiting and "
        "processing times, utilisation) against the target, and the weekly, weekday and hour "
        "series (appointments.statistics.overview_figures)."
    ),
    parameters=[StatisticsQueryInputSerializer],
    responses={
        200: StatisticsOutputSerializer,
        **error_responses(400),
        **DENIED,
    },
    examples=[examples.STATISTICS],
)
class StatisticsView(APIView):
    permission_classes = (Supervisor,)

    def get(self, request):
        query = StatisticsQueryInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        team, service, channel = data.get("team"), data.get("service"), data.get("channel")
        figures = overview_figures(team=team, service=service, channel=channel)
        echo = {
            "team": team.pk if team else None,
            "service": service.slug if service else None,
            "channel": channel or None,
        }
        return Response(StatisticsOutputSerializer({"filters": echo, "figures": figures}).data)


# --- Device tokens -----------------------------------------------------------------------------


def _devices():
    return DeviceToken.objects.prefetch_related("teams").order_by("name", "pk")


@extend_schema(
    tags=STAFF,
    summary="Device tokens of call displays and kiosks",
    responses={200: DeviceOutputSerializer(many=True), **error_responses(404), **DENIED},
    examples=[examples.DEVICE],
)
class DeviceListView(generics.ListAPIView):
    permission_classes = (Supervisor,)
    serializer_class = DeviceOutputSerializer
    filter_backends = ()

    def get_queryset(self):
        return _devices()


@extend_schema(
    tags=STAFF,
    summary="Create a device token for a call display or kiosk (shown only now)",
    request=DeviceInputSerializer,
    responses={201: DeviceCreatedOutputSerializer, **error_responses(400), **DENIED},
    examples=[examples.DEVICE_REQUEST, examples.DEVICE_CREATED],
)
class DeviceCreateView(APIView):
    permission_classes = (Supervisor,)

    def post(self, request):
        serializer = DeviceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device, token = DeviceToken.issue(
            name=serializer.validated_data["name"],
            teams=serializer.validated_data["teams"],
            created_by=request.user,
        )
        log_event(action="device_token.created", actor=request.user, device=device.pk)
        device = _devices().get(pk=device.pk)
        device.token = token
        response = Response(
            DeviceCreatedOutputSerializer(device).data, status=status.HTTP_201_CREATED
        )
        add_never_cache_headers(response)
        return response


@extend_schema(
    tags=STAFF,
    summary="Revoke a device token (the device is refused from now on)",
    parameters=[OpenApiParameter("device_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    request=None,
    responses={200: DeviceOutputSerializer, **error_responses(404), **DENIED},
    examples=[examples.DEVICE],
)
class DeviceRevokeView(APIView):
    permission_classes = (Supervisor,)

    def post(self, request, device_id):
        device = get_object_or_404(DeviceToken, pk=device_id)
        device.revoke(actor=request.user)
        return Response(DeviceOutputSerializer(_devices().get(pk=device.pk)).data)
