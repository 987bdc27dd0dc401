"""The staff member: who am I, the personal API token."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments.audit import log_event

from ...models import ApiToken
from ...roles import roles_of
from .. import examples
from ..permissions import Staff
from ..serializers import (
    MeOutputSerializer,
    TokenOutputSerializer,
)
from .common import (
    DENIED,
    STAFF,
)

# --- Who am I, personal API tokens -------------------------------------------------------------


@extend_schema(
    tags=STAFF,
    summary="The logged-in staff member and their roles",
    responses={200: MeOutputSerializer, **DENIED},
    examples=[examples.ME],
)
class MeView(APIView):
    permission_classes = (Staff,)

    def get(self, request):
        return Response(
            MeOutputSerializer(
                {"username": request.user.get_username(), "roles": sorted(roles_of(request.user))}
            ).data
        )


@extend_schema(
    tags=STAFF,
    summary="Issue a new personal API token (the previous one stops working)",
    description=(
        "Send it as `Authorization: Token <key>`. It is shown only in this answer: the server "
        "keeps its hash and its first 8 characters (to recognise it in lists) only."
    ),
    request=None,
    responses={201: TokenOutputSerializer, **DENIED},
    examples=[examples.TOKEN],
)
class TokenIssueView(APIView):
    permission_classes = (Staff,)

    def post(self, request):
        with transaction.atomic():
            # Lock the user's row so two rotations at once cannot both create a token.
            get_user_model().objects.select_for_update().get(pk=request.user.pk)
            _token, key = ApiToken.issue(user=request.user)
        log_event(action="api_token.issued", actor=request.user)
        response = Response(
            TokenOutputSerializer({"token": key}).data, status=status.HTTP_201_CREATED
        )
        add_never_cache_headers(response)
        return response


@extend_schema(
    tags=STAFF,
    summary="Revoke the personal API token",
    request=None,
    responses={204: None, **DENIED},
)
class TokenRevokeView(APIView):
    permission_classes = (Staff,)

    def post(self, request):
        if ApiToken.objects.filter(user=request.user).delete()[0]:
            log_event(action="api_token.revoked", actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
