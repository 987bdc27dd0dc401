"""Public API views: one per operation; each parses, calls the domain function the web calls
(booking.book, verify, cancel, reschedule; availability.available_days) and shapes the answer.

The protections are the web's: the same rate-limit scopes and settings (a client cannot double
its quota by using both doors), the same proof-of-work challenge, and a wrong code or token
gives the same 404.
"""

from django.conf import settings
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from .. import booking, parties, protection
from ..codes import is_valid_code, normalize_code
from ..errors import ChallengeFailed, NotFound, TooManyAttempts
from ..models import Appointment, CancellationReason, Channel
from ..people import Person
from . import examples
from .errors import RateLimited, error_responses
from .serializers import (
    BookingCreatedOutputSerializer,
    BookingInputSerializer,
    BookingOutputSerializer,
    ChallengeOutputSerializer,
    RescheduleInputSerializer,
    VerifyInputSerializer,
)

HOUR, DAY = 3600, 86400
TAGS = ["public"]

BOOKING_TOKEN = OpenApiParameter(
    "X-Booking-Token",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The secret token from the link in the booking e-mail (`t=`).",
)
CODE = OpenApiParameter(
    "code",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The booking code (case, spaces and dashes do not matter).",
    examples=[OpenApiExample("code", value="K7M2QX9A")],
)
ERRORS = error_responses(400, 404, 409, 429)
PARTNER_KEY_HEADER = "X-Partner-Key"
PARTNER_KEY = OpenApiParameter(
    PARTNER_KEY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="A counselling office's partner key: raises the limit per client address.",
)


class LinkAttemptThrottle(BaseThrottle):
    """The web's limit on verification and manage-link attempts per client address."""

    def allow_request(self, request, view):
        return protection.link_attempt_allowed(request)

    def wait(self):
        return HOUR


class PublicView(APIView):
    """No login; the web's wording for 429."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def throttled(self, request, wait):
        raise RateLimited(retry_after=int(wait or HOUR))


class ManageView(PublicView):
    """Views reached with the code and secret token: limited per address, never cached."""

    throttle_classes = (LinkAttemptThrottle,)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def appointment(self, code):
        token = self.request.headers.get("X-Booking-Token", "")
        return booking.find_by_code_and_token(code=well_formed(code), token=token)


def well_formed(code):
    """The normalised code, or the same 404 as for a wrong one: a code that cannot exist is
    not looked up (PostgreSQL refuses some characters, e.g. NUL, with an error)."""
    code = normalize_code(code)
    if not is_valid_code(code):
        raise NotFound()
    return code


def _for_output(appointment_id):
    return Appointment.objects.select_related("slot__team", "service", "party").get(
        pk=appointment_id
    )


# --- Challenge ---------------------------------------------------------------------------------


@extend_schema(
    tags=TAGS,
    summary="A new proof-of-work challenge to solve before booking",
    description=(
        "ALTCHA challenge, valid for ten minutes, accepted once. Solve it as the ALTCHA widget "
        "does and send the base64 payload as `altcha` with the booking."
    ),
    responses={200: ChallengeOutputSerializer},
    examples=[examples.CHALLENGE],
)
class ChallengeView(PublicView):
    def get(self, request):
        response = Response(protection.new_challenge())
        add_never_cache_headers(response)
        return response


# --- Booking -----------------------------------------------------------------------------------


def _language(requested):
    if requested:
        return requested
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _slot_id(data):
    """The `slot` of a booking body if it is a well-formed id, else None (the serializer says
    what is wrong with it)."""
    value = data.get("slot") if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        slot_id = int(value)
    except ValueError:
        return None
    return slot_id if 1 <= slot_id <= 2**62 else None


@extend_schema(
    tags=TAGS,
    summary="Book a time: the place is held until the e-mail link is confirmed",
    description=(
        "Creates a held booking and sends the verification e-mail with the secret token. "
        "409: the time is taken, gone or not bookable online, or the person already holds an "
        "appointment for the service (a taken time is refused before the body is checked). "
        "400: invalid fields (also a missing or wrong `altcha`). "
        "429: too many attempts from this address, for this e-mail address or this person; "
        "`Retry-After` says in how many seconds the limit's window ends."
    ),
    parameters=[PARTNER_KEY],
    request=BookingInputSerializer,
    responses={201: BookingCreatedOutputSerializer, **ERRORS},
    examples=[
        examples.BOOKING_REQUEST,
        examples.BOOKING_CREATED,
        examples.SLOT_FULL,
        examples.INVALID,
        examples.RATE_LIMITED,
    ],
)
class BookingCreateView(PublicView):
    def post(self, request):
        # A time that is gone is refused first (409), before the body, the limits and the
        # challenge are checked: it costs one read and tells no more than the free times do.
        slot_id = _slot_id(request.data)
        if slot_id is not None:
            booking.refuse_if_taken(slot_id)
        serializer = BookingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            protection.check_hold(
                request,
                email=data["email"],
                challenge_payload=data.get("altcha", ""),
                person=Person.from_data(data),
                partner_key=request.headers.get(PARTNER_KEY_HEADER, ""),
            )
        except TooManyAttempts as error:
            raise RateLimited(retry_after=error.retry_after, detail=error.message) from None
        except ChallengeFailed as error:
            raise ValidationError({"altcha": [error.message]}) from None
        person = Person.from_data(data, language=_language(data.get("language")))
        further = [Person.from_data(other) for other in data.get("persons") or ()]
        appointment, _token = parties.book_party(
            service=data["service"],
            slot_id=data["slot"],
            persons=[person, *further],
            channel=Channel.ONLINE,
        )
        # Answered from the objects in hand (slot, party): no query after the commit.
        return Response(
            BookingCreatedOutputSerializer(appointment).data, status=status.HTTP_201_CREATED
        )


@extend_schema(
    tags=TAGS,
    summary="Confirm a held booking with the token from the e-mail",
    parameters=[CODE],
    request=VerifyInputSerializer,
    responses={200: BookingOutputSerializer, **ERRORS},
    examples=[examples.VERIFY_REQUEST, examples.BOOKING],
)
class BookingVerifyView(ManageView):
    """Confirming twice is fine; an expired hold is a 409 (book again)."""

    def post(self, request, code):
        serializer = VerifyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = booking.verify(
            code=well_formed(code), token=serializer.validated_data["token"]
        )
        return Response(BookingOutputSerializer(_for_output(appointment.pk)).data)


@extend_schema(
    tags=TAGS,
    summary="Read a booking",
    parameters=[CODE, BOOKING_TOKEN],
    responses={200: BookingOutputSerializer, **error_responses(404, 429)},
    examples=[examples.BOOKING],
)
class BookingDetailView(ManageView):
    """The booking for its code and the token from the e-mail; either wrong gives 404."""

    def get(self, request, code):
        return Response(BookingOutputSerializer(self.appointment(code)).data)


@extend_schema(
    tags=TAGS,
    summary="Cancel a booking",
    parameters=[CODE, BOOKING_TOKEN],
    request=None,
    responses={200: BookingOutputSerializer, **ERRORS},
    examples=[examples.BOOKING],
)
class BookingCancelView(ManageView):
    """The place is given free again (after a short delay against trading in places)."""

    def post(self, request, code):
        appointment = self.appointment(code)
        parties.cancel_party(appointment_id=appointment.pk, reason=CancellationReason.RESIDENT)
        return Response(BookingOutputSerializer(_for_output(appointment.pk)).data)


@extend_schema(
    tags=TAGS,
    summary="Move a booking to another free time of its service",
    parameters=[CODE, BOOKING_TOKEN],
    request=RescheduleInputSerializer,
    responses={200: BookingOutputSerializer, **ERRORS},
    examples=[examples.RESCHEDULE_REQUEST, examples.BOOKING, examples.SLOT_FULL],
)
class BookingRescheduleView(ManageView):
    """Takes the new place and gives the old one back in one step; 409 when it is gone."""

    def post(self, request, code):
        appointment = self.appointment(code)
        serializer = RescheduleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        parties.move_party(  # a group booking moves as a whole
            appointment_id=appointment.pk,
            slot_id=serializer.validated_data["slot"],
            token=request.headers.get("X-Booking-Token", ""),
        )
        return Response(BookingOutputSerializer(_for_output(appointment.pk)).data)
