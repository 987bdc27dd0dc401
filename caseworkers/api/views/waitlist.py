"""Supervisors: the waitlist of a service and team, best-ranked first.

Minimal personal data, as the queue list: no names, birth dates or addresses; the urgency is
shown as a class (a permit expiring soon, a reason), never the expiry date itself.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, serializers

from appointments.api.errors import error_responses
from appointments.models import (
    DayPart,
    Service,
    Team,
    UrgencyReason,
    Wish,
    WishState,
)
from appointments.waitlist import ranking

from ..permissions import Supervisor
from .common import DENIED, STAFF

# The states of a confirmed wish still waiting (pending ones have not confirmed their mail).
LISTED_STATES = (WishState.ACTIVE, WishState.OFFERED, WishState.PAUSED)

ENTRY_EXAMPLE = OpenApiExample(
    "Waitlist entry",
    response_only=True,
    value={
        "id": 812,
        "service": "aufenthaltserlaubnis-verlaengerung",
        "team": 2,
        "state": "active",
        "registered_on": "2026-11-30",
        "permit_expires_soon": True,
        "urgency_reason": "job_start",
        "weekdays": "024",
        "day_part": "morning",
        "earliest_date": None,
        "latest_date": "2027-01-31",
        "expired_offers": 0,
    },
)


class WaitlistQueryInputSerializer(serializers.Serializer):
    """Filters of the waitlist; all optional."""

    service = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Service.objects.all(),
        required=False,
        help_text="Service slug.",
        error_messages={"does_not_exist": _("There is no service with this name.")},
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(),
        required=False,
        help_text="Team id.",
        error_messages={
            "does_not_exist": _("There is no team with this number."),
            "incorrect_type": _("Give the team as a number."),
        },
    )
    state = serializers.ChoiceField(
        choices=[(state.value, state.label) for state in LISTED_STATES],
        required=False,
        help_text="Only wishes in this state (default: waiting, offered and paused).",
    )


class WaitlistEntryOutputSerializer(serializers.Serializer):
    """A wish as the waitlist shows it: its rank inputs, no personal data."""

    id = serializers.IntegerField()
    service = serializers.SlugField(source="service.slug")
    team = serializers.IntegerField(source="team_id")
    state = serializers.ChoiceField(choices=WishState.choices)
    registered_on = serializers.DateField(help_text="Day of registration (Berlin).")
    permit_expires_soon = serializers.SerializerMethodField(
        help_text="The current permit expires within the urgency horizon (WAITLIST_URGENT_"
        "EXPIRY_DAYS); ranks first."
    )
    urgency_reason = serializers.ChoiceField(choices=UrgencyReason.choices, allow_blank=True)
    weekdays = serializers.CharField(help_text="Weekday digits 0 (Monday) … 4; empty: any.")
    day_part = serializers.ChoiceField(choices=DayPart.choices, allow_blank=True)
    earliest_date = serializers.DateField(allow_null=True)
    latest_date = serializers.DateField(allow_null=True)
    expired_offers = serializers.IntegerField()

    def get_permit_expires_soon(self, wish) -> bool:
        return wish.urgent_expiry is not None


@extend_schema(
    tags=STAFF,
    summary="The waitlist: confirmed wishes of a service and team, best-ranked first",
    description=(
        "Wishes waiting, offered or paused, in rank order (a permit expiring soon, then the "
        "reason, then the day of registration, then the logged lottery ticket). No names, "
        "birth dates or e-mail addresses."
    ),
    parameters=[WaitlistQueryInputSerializer],
    responses={
        200: WaitlistEntryOutputSerializer(many=True),
        **error_responses(400, 404),
        **DENIED,
    },
    examples=[ENTRY_EXAMPLE],
)
class WaitlistView(generics.ListAPIView):
    permission_classes = (Supervisor,)
    serializer_class = WaitlistEntryOutputSerializer
    filter_backends = ()
    queryset = Wish.objects.none()  # for the schema; the list comes from get_queryset

    def get_queryset(self):
        query = WaitlistQueryInputSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        states = [data["state"]] if data.get("state") else LISTED_STATES
        wishes = Wish.objects.filter(state__in=states).select_related("service")
        if data.get("service"):
            wishes = wishes.filter(service=data["service"])
        if data.get("team"):
            wishes = wishes.filter(team=data["team"])
        return ranking.ranked(wishes, today=timezone.localdate())
