"""Public API: the services and their free, released times (the busiest read of the API:
answers are cached per state of the free times, see availability_cache)."""

from functools import lru_cache
from types import MappingProxyType

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import conditional_page
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .. import availability_cache, catalogue_cache
from ..errors import ServiceNotBookable
from ..responsibility import responsible_team
from ..selectors import bookable_services
from . import examples
from .errors import error_responses
from .serializers import (
    ServiceOutputSerializer,
    SlotOutputSerializer,
    SlotQueryInputSerializer,
)
from .views import ERRORS, TAGS


@extend_schema(
    tags=TAGS,
    summary="List the services (concerns) residents can come for",
    responses={200: ServiceOutputSerializer(many=True), **error_responses(404)},
    examples=[examples.SERVICE],
)
class ServiceListView(generics.ListAPIView):
    """Names, descriptions and document checklists in the request's language."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    serializer_class = ServiceOutputSerializer
    filter_backends = ()

    def get_queryset(self):
        return bookable_services()


@lru_cache(maxsize=1024)
def _slot_query(items, today):
    """The validated slot query (a copy each time): the same few queries come again and again
    and validating them builds a serializer each time. `today` is part of the key (the range's
    default starts today)."""
    query = SlotQueryInputSerializer(data=dict(items))
    query.is_valid(raise_exception=True)  # refusals are not kept: lru_cache keeps only returns
    return MappingProxyType(dict(query.validated_data))


# The parameters of a slot query; only answers to these are cached.
SLOT_QUERY_NAMES = frozenset(
    [*SlotQueryInputSerializer().fields, *("page", "page_size")]  # PageNumberPagination's
)


@lru_cache(maxsize=16384)
def _stamp(value, zone):
    """SlotOutputSerializer's date-time text of `value` in `zone`, once per time and zone."""
    with timezone.override(zone):
        return serializers.DateTimeField().to_representation(value)


@extend_schema(
    tags=TAGS,
    summary="Free, released times of a service between two dates",
    description=(
        "Only times residents may book online now (release policy). With `surname` (and "
        "`nationality`) only the responsible team's times are listed; only those can be "
        "booked for that person."
    ),
    parameters=[SlotQueryInputSerializer],
    responses={200: SlotOutputSerializer(many=True), **ERRORS},
    examples=[examples.SLOT],
)
@method_decorator(conditional_page, name="dispatch")  # ETag of the answer; 304 when unchanged
class ServiceSlotsView(generics.ListAPIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    serializer_class = SlotOutputSerializer
    filter_backends = ()

    def query(self):
        """The service, its teams for this request and the validated query."""
        service = catalogue_cache.active_service(self.kwargs["slug"])
        if service is None:
            raise Http404
        params = _slot_query(tuple(sorted(self.request.query_params.items())), timezone.localdate())
        if not service.bookable_online:
            raise ServiceNotBookable()
        if params.get("surname"):
            teams = [
                responsible_team(
                    service=service,
                    surname=params.get("surname_latin") or params["surname"],
                    nationality=str(params.get("nationality") or ""),
                )
            ]
        else:
            teams = {r.team.pk: r.team for r in catalogue_cache.rules(service.pk) if r.team.active}
            teams = [teams[pk] for pk in sorted(teams)]
        return service, teams, params

    def get_queryset(self):
        service, teams, params = self.query()
        return availability_cache.slot_rows(
            service=service, teams=teams, date_from=params["date_from"], date_to=params["date_to"]
        )

    def list(self, request, *args, **kwargs):
        """The JSON of the answer, rendered once per state of the free times and URL (the
        pagination's links are absolute) and then served as bytes: no serializer, pagination
        or JSON encoding while nothing changed."""
        service, teams, params = self.query()
        window = {"date_from": params["date_from"], "date_to": params["date_to"]}
        state = availability_cache.slot_state(service=service, teams=teams, **window)
        zone = timezone.get_current_timezone_name()
        key = f"slots-json:{state and state.key}:{zone}:{request.build_absolute_uri()}"

        def render():
            rows = availability_cache.slot_rows(service=service, teams=teams, state=state, **window)
            return JSONRenderer().render(self.answer(rows, zone).data)

        if not set(request.query_params) <= SLOT_QUERY_NAMES:
            # Unknown parameters are ignored but kept in the page links: such an answer is not
            # kept, or anyone could fill the cache with one entry per made-up parameter.
            return HttpResponse(render(), content_type="application/json")
        return HttpResponse(availability_cache.answer(key, render), content_type="application/json")

    def answer(self, rows, zone):
        """SlotOutputSerializer's fields, written straight from the rows (plain values, no
        model objects or serializer per slot)."""
        page = self.paginate_queryset(rows)
        data = [
            {
                "id": row["id"],
                "start": _stamp(row["start"], zone),
                "end": _stamp(row["end"], zone),
                "free": row["free_places"],
                "team": row["team"].name,
                "location": row["team"].location,
            }
            for row in (rows if page is None else page)
        ]
        return Response(data) if page is None else self.get_paginated_response(data)
