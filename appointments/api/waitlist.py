"""Public API of the waitlist: register a wish, confirm it, read/change/renew/withdraw it with
its secret token, and accept or decline an offer. The same domain functions, protections and
error shapes as the bookings (409 a domain rule, 400 invalid input, 429 too many attempts)."""

from django.conf import settings
from django_countries.serializer_fields import CountryField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .. import protection
from ..errors import ChallengeFailed, OfferTransitionNotAllowed, TooManyAttempts, WishNotFound
from ..models import DayPart, OfferState, Service, UrgencyReason, WishState
from ..people import Person
from ..waitlist import allocation, ranking, wishes
from . import examples
from .errors import RateLimited, error_responses
from .serializers import (
    INVALID_DATE,
    SURNAME_RULE,
    BookingInputSerializer,
    BookingOutputSerializer,
    VerifyInputSerializer,
)
from .views import ManageView, PublicView, _for_output, _language

TAGS = ["public: waitlist"]
WISH_TOKEN = OpenApiParameter(
    "X-Wish-Token",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The secret token from the link in the wish's confirmation e-mail (`t=`).",
)
ERRORS = error_responses(400, 404, 409, 429)
WISH_REQUEST = OpenApiExample(
    "Wish",
    request_only=True,
    value={
        "service": "aufenthaltstitel",
        "surname": "Yılmaz",
        "given_names": "Ayşe",
        "date_of_birth": "1990-04-23",
        "email": "ayse@example.org",
        "nationality": "TR",
        "language": "tr",
        "weekdays": ["1", "3"],
        "day_part": "morning",
        "permit_expires_on": "2026-12-31",
        "urgency_reason": "job_start",
        "altcha": "eyJhbGdvcml0aG0iOi…",
    },
)
WISH_CREATED = OpenApiExample(
    "Registered",
    response_only=True,
    status_codes=["201"],
    value={"id": 42, "state": "pending", "expires_at": "2026-11-11T09:30:00Z"},
)
OFFER = {
    "id": 7,
    "state": "open",
    "start": "2026-11-13T09:00:00Z",
    "expires_at": "2026-11-11T09:30:00Z",
}
WISH = OpenApiExample(
    "Wish",
    response_only=True,
    value={
        "id": 42,
        "service": "aufenthaltstitel",
        "state": "offered",
        "registered_at": "2026-11-10T09:30:00Z",
        "expires_at": "2027-02-08T09:30:00Z",
        "weekdays": "13",
        "day_part": "morning",
        "earliest_date": None,
        "latest_date": None,
        "position_band": None,
        "open_offer": OFFER,
    },
)
PREFERENCES_REQUEST = OpenApiExample(
    "Preferences", request_only=True, value={"weekdays": ["0", "4"], "day_part": "afternoon"}
)
DECLINED = OpenApiExample("Declined", response_only=True, value={**OFFER, "state": "declined"})


class PreferencesInputSerializer(serializers.Serializer):
    weekdays = serializers.ListField(
        child=serializers.ChoiceField(choices=["0", "1", "2", "3", "4"]),
        required=False,
        default=list,
        help_text="Weekdays that suit: 0 Monday … 4 Friday; empty for any.",
    )
    day_part = serializers.ChoiceField(choices=DayPart.choices, required=False, default="")
    earliest_date = serializers.DateField(required=False, allow_null=True, default=None)
    latest_date = serializers.DateField(required=False, allow_null=True, default=None)

    def preferences(self):
        data = self.validated_data
        return wishes.Preferences(
            weekdays="".join(data["weekdays"]),
            day_part=data["day_part"],
            earliest_date=data["earliest_date"],
            latest_date=data["latest_date"],
        )


class WishInputSerializer(PreferencesInputSerializer):
    service = serializers.SlugRelatedField(
        slug_field="slug", queryset=Service.objects.filter(active=True)
    )
    surname = serializers.CharField(min_length=1, max_length=100, help_text=SURNAME_RULE)
    given_names = serializers.CharField(min_length=1, max_length=150)
    date_of_birth = serializers.DateField(error_messages={"invalid": INVALID_DATE})
    email = serializers.EmailField(max_length=254)
    nationality = CountryField(required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    permit_expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    urgency_reason = serializers.ChoiceField(
        choices=UrgencyReason.choices, required=False, default=""
    )
    altcha = serializers.CharField(required=False, allow_blank=True, max_length=4096)

    validate_surname = BookingInputSerializer.validate_surname
    validate_date_of_birth = BookingInputSerializer.validate_date_of_birth


class OfferOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=OfferState.choices)
    start = serializers.DateTimeField(source="slot.start")
    expires_at = serializers.DateTimeField(help_text="Answer by this instant.")


class WishOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    service = serializers.SlugField(source="service.slug")
    state = serializers.ChoiceField(choices=WishState.choices)
    registered_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(help_text="Ends unless renewed before.")
    weekdays = serializers.CharField()
    day_part = serializers.CharField()
    earliest_date = serializers.DateField(allow_null=True)
    latest_date = serializers.DateField(allow_null=True)
    position_band = serializers.SerializerMethodField(
        help_text='"Among the next N" (null: not waiting, or beyond the last band).'
    )
    open_offer = serializers.SerializerMethodField()

    def get_position_band(self, wish) -> int | None:
        return ranking.position_band(wish)

    def get_open_offer(self, wish) -> dict | None:
        offer = wish.offers.filter(state=OfferState.OPEN).select_related("slot").first()
        return OfferOutputSerializer(offer).data if offer else None


class WishCreatedOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=WishState.choices)
    expires_at = serializers.DateTimeField(help_text="Confirm by the e-mail link before this.")


@extend_schema(
    tags=TAGS,
    summary="Register a wish: it waits once the e-mail link is confirmed",
    request=WishInputSerializer,
    responses={201: WishCreatedOutputSerializer, **ERRORS},
    examples=[WISH_REQUEST, WISH_CREATED, examples.RATE_LIMITED],
)
class WishCreateView(PublicView):
    def post(self, request):
        serializer = WishInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            protection.check_hold(
                request, email=data["email"], challenge_payload=data.get("altcha", "")
            )
        except TooManyAttempts:
            raise RateLimited(retry_after=protection.HOUR) from None
        except ChallengeFailed as error:
            raise ValidationError({"altcha": [error.message]}) from None
        wish, _token = wishes.register_wish(
            service=data["service"],
            person=Person.from_data(data, language=_language(data.get("language"))),
            preferences=serializer.preferences(),
            permit_expires_on=data["permit_expires_on"],
            urgency_reason=data["urgency_reason"],
        )
        return Response(WishCreatedOutputSerializer(wish).data, status=status.HTTP_201_CREATED)


class WishView(ManageView):
    def wish(self):
        return wishes.find_wish(token=self.request.headers.get("X-Wish-Token", ""))

    def answer(self):
        return Response(WishOutputSerializer(self.wish()).data)


@extend_schema(
    tags=TAGS,
    summary="Confirm a wish with the token from the e-mail",
    request=VerifyInputSerializer,
    responses={200: WishOutputSerializer, **ERRORS},
    examples=[examples.VERIFY_REQUEST, WISH],
)
class WishConfirmView(ManageView):
    def post(self, request):
        serializer = VerifyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        wish = wishes.confirm_wish(token=serializer.validated_data["token"])
        return Response(WishOutputSerializer(wish).data)


@extend_schema(tags=TAGS, parameters=[WISH_TOKEN])
class WishDetailView(WishView):
    @extend_schema(
        summary="Read a wish: state, position band, open offer",
        responses={200: WishOutputSerializer, **error_responses(404, 429)},
        examples=[WISH],
    )
    def get(self, request):
        return Response(WishOutputSerializer(self.wish()).data)

    @extend_schema(
        summary="Change a wish's preferences (its rank stays)",
        request=PreferencesInputSerializer,
        responses={200: WishOutputSerializer, **ERRORS},
        examples=[PREFERENCES_REQUEST, WISH],
    )
    def patch(self, request):
        wish = self.wish()
        serializer = PreferencesInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        wishes.change_preferences(wish_id=wish.pk, preferences=serializer.preferences())
        return self.answer()


@extend_schema(
    tags=TAGS,
    summary="Withdraw a wish (an open offer's place goes to the next)",
    parameters=[WISH_TOKEN],
    request=None,
    responses={200: WishOutputSerializer, **ERRORS},
    examples=[WISH],
)
class WishWithdrawView(WishView):
    def post(self, request):
        wish = self.wish()
        wishes.withdraw_wish(wish_id=wish.pk)
        return self.answer()


@extend_schema(
    tags=TAGS,
    summary="Renew a wish for another period (a paused wish waits again)",
    parameters=[WISH_TOKEN],
    request=None,
    responses={200: WishOutputSerializer, **ERRORS},
    examples=[WISH],
)
class WishRenewView(WishView):
    def post(self, request):
        wish = self.wish()
        wishes.renew_wish(wish_id=wish.pk)
        return self.answer()


class OfferView(WishView):
    def offer(self, offer_id):
        wish = self.wish()
        offer = wish.offers.filter(pk=offer_id).first()
        if offer is None:
            raise WishNotFound()
        return offer


@extend_schema(
    tags=TAGS,
    summary="Accept an offer: the held time is booked (confirmation e-mail with the link)",
    parameters=[WISH_TOKEN],
    request=None,
    responses={200: BookingOutputSerializer, **ERRORS},
    examples=[examples.BOOKING],
)
class OfferAcceptView(OfferView):
    """409 when accepted already, expired or withdrawn."""

    def post(self, request, offer_id):
        appointment, _token = allocation.accept_offer(offer_id=self.offer(offer_id).pk)
        return Response(BookingOutputSerializer(_for_output(appointment.pk)).data)


@extend_schema(
    tags=TAGS,
    summary="Decline an offer: the wish keeps waiting, the time goes to the next",
    parameters=[WISH_TOKEN],
    request=None,
    responses={200: OfferOutputSerializer, **ERRORS},
    examples=[DECLINED],
)
class OfferDeclineView(OfferView):
    def post(self, request, offer_id):
        offer = self.offer(offer_id)
        allocation.decline_offer(offer_id=offer.pk)
        offer.refresh_from_db()
        if offer.state != OfferState.DECLINED:
            raise OfferTransitionNotAllowed()
        return Response(OfferOutputSerializer(offer).data)
