"""The call display's feed, read with a device token: waiting numbers and counters only."""

from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments import selectors

from .. import examples
from ..authentication import DeviceTokenAuthentication
from ..permissions import IsDevice
from ..serializers import (
    DisplayOutputSerializer,
)
from .common import (
    DENIED,
)

# --- The call display --------------------------------------------------------------------------


@extend_schema(
    tags=["display"],
    summary="The call display's feed: the latest called waiting numbers and their counters",
    description=(
        "For call displays and kiosks with `Authorization: Device <token>`; shows the device's "
        "teams only, and never personal data."
    ),
    responses={200: DisplayOutputSerializer, **DENIED},
    examples=[examples.DISPLAY],
)
class DisplayFeedView(APIView):
    authentication_classes = (DeviceTokenAuthentication,)
    permission_classes = (IsDevice,)

    def get(self, request):
        teams = list(request.auth.teams.filter(active=True).order_by("name"))
        response = Response(
            DisplayOutputSerializer({"teams": teams, "calls": selectors.display_calls(teams)}).data
        )
        add_never_cache_headers(response)
        return response
