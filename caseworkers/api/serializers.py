"""Input and output serializers of the staff API and the display feed."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from appointments.api.serializers import (
    EARLIEST_DATE,
    INVALID_DATE,
    LATEST_DATE,
    DateRangeInputSerializer,
    check_latin_spelling,
    policy_checked,
    surname_latin_field,
)
from appointments.models import (
    Channel,
    Contingent,
    Counter,
    Outcome,
    Priority,
    Service,
    Status,
    Team,
)
from appointments.name_policy import clean_latin_spelling, clean_name

ID = {"min_value": 1, "max_value": 2**62}


# --- The staff member ---------------------------------------------------------------------------


class MeOutputSerializer(serializers.Serializer):
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")


# --- Teams and the queue -----------------------------------------------------------------------


class CounterOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class TeamOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    waiting_prefix = serializers.CharField()
    location = serializers.CharField()
    counters = CounterOutputSerializer(many=True, source="active_counters")


class QueueEntryOutputSerializer(serializers.Serializer):
    """An appointment as the queue shows it: no personal data beyond what a number tells."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    priority = serializers.IntegerField()
    service = serializers.SlugField(source="service.slug")
    service_name = serializers.CharField(source="service.localized_name")
    start = serializers.DateTimeField(source="slot.start")
    end = serializers.DateTimeField(source="slot.end")
    team = serializers.IntegerField(source="slot.team_id")
    queue_team = serializers.IntegerField(source="queue_team_id", allow_null=True)
    waiting_number = serializers.CharField()
    checked_in_at = serializers.DateTimeField(allow_null=True)
    first_called_at = serializers.DateTimeField(allow_null=True)
    called_at = serializers.DateTimeField(allow_null=True)
    call_count = serializers.IntegerField()
    counter = serializers.CharField(source="counter.number", allow_null=True)
    parked = serializers.SerializerMethodField()
    arrived_late = serializers.BooleanField()
    interpreter_needed = serializers.BooleanField()
    interpreter_language = serializers.CharField()
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True)
    waiting_minutes = serializers.SerializerMethodField(
        help_text="From check-in to the first call (or until now while waiting)."
    )
    priority_level = serializers.SerializerMethodField(
        help_text="The queue level: emergency, walk_in or appointment (README: queue order)."
    )
    served_by = serializers.SerializerMethodField(
        help_text="The staff member who called or serves the resident (null: nobody yet)."
    )

    def get_priority_level(self, appointment) -> str:
        return PRIORITY_LEVELS.get(appointment.priority, "appointment")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_served_by(self, appointment):
        user = appointment.served_by
        return (user.get_full_name() or user.get_username()) if user else None

    def get_parked(self, appointment) -> bool:
        return appointment.parked_at is not None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_waiting_minutes(self, appointment):
        if appointment.checked_in_at is None:
            return None
        until = appointment.first_called_at or timezone.now()
        return max(int((until - appointment.checked_in_at).total_seconds() // 60), 0)


class StaffAppointmentOutputSerializer(QueueEntryOutputSerializer):
    """The appointment as the desk needs it: with the resident's name (access is logged).
    Once its personal data were removed, name and birth date are null and `resident_name`
    says "nicht mehr gespeichert"."""

    surname = serializers.CharField(allow_null=True)
    given_names = serializers.CharField(allow_null=True)
    date_of_birth = serializers.DateField(allow_null=True)
    resident_name = serializers.CharField(
        read_only=True, help_text="Surname, given names; or 'nicht mehr gespeichert'."
    )
    personal_data_stored = serializers.SerializerMethodField()

    def get_personal_data_stored(self, appointment) -> bool:
        return not appointment.is_pseudonymised

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.is_pseudonymised:
            data.update(surname=None, given_names=None, date_of_birth=None)
        return data


class QueueQueryInputSerializer(serializers.Serializer):
    date = serializers.DateField(
        required=False,
        help_text="The day (YYYY-MM-DD); default today.",
        error_messages={"invalid": INVALID_DATE},
    )

    def validate_date(self, value):
        if not EARLIEST_DATE <= value <= LATEST_DATE:
            raise serializers.ValidationError(INVALID_DATE)
        return value


class CheckInInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40, help_text="Typed or scanned from the QR code.")
    accept_late = serializers.BooleanField(
        required=False, default=False, help_text="Check in although the resident is too late."
    )
    readmit = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirms admitting a resident marked as not there (no-show) today again.",
    )


class ConfirmInputSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirms a call again that marks the resident as not there (no-show).",
    )


class WalkInInputSerializer(serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.filter(active=True))
    service = serializers.SlugRelatedField(
        slug_field="slug", queryset=Service.objects.filter(active=True)
    )
    surname = serializers.CharField(min_length=1, max_length=100)
    surname_latin = surname_latin_field()
    given_names = serializers.CharField(min_length=1, max_length=150)
    date_of_birth = serializers.DateField(error_messages={"invalid": INVALID_DATE})
    nationality = CountryField()
    email = serializers.EmailField(required=False, allow_blank=True, default="", max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="de")
    interpreter = serializers.BooleanField(required=False, default=False)
    interpreter_language = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=50
    )
    urgent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Emergency (e.g. permit expires within days): call first.",
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="Needed when `team` is not the one responsible for service and surname "
        "(409 without it); audited.",
    )
    beyond_contingent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="An emergency past the day's walk-in places (needs `beyond_reason` unless "
        "the caller is a supervisor); audited.",
    )
    beyond_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )

    def validate_date_of_birth(self, born):
        if born > timezone.localdate() or born.year < 1900:
            raise serializers.ValidationError(_("Please check the date of birth."))
        return born

    def validate_surname(self, value):
        return policy_checked(clean_name, value)

    def validate_surname_latin(self, value):
        return policy_checked(clean_latin_spelling, value)

    def validate_given_names(self, value):
        return policy_checked(clean_name, value)

    def validate(self, attrs):
        if not attrs["interpreter"]:
            attrs["interpreter_language"] = ""
        return check_latin_spelling(attrs)


class CallInputSerializer(serializers.Serializer):
    counter = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=(
            "The counter (of the team) the resident is called to, remembered for the day; "
            "without it, the counter chosen earlier today (400 when there is none)."
        ),
        **ID,
    )


class ForwardInputSerializer(serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.filter(active=True))


class FinishInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500, help_text="Internal."
    )


class FollowUpSlotOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    free = serializers.IntegerField(source="free_places")
    contingent = serializers.ChoiceField(choices=Contingent.choices)


class FollowUpSlotQueryInputSerializer(DateRangeInputSerializer):
    """`from`/`to` of the follow-up times (at most 62 days)."""


class FollowUpInputSerializer(serializers.Serializer):
    slot = serializers.IntegerField(**ID)


PRIORITY_LEVELS = {
    Priority.APPOINTMENT: "appointment",
    Priority.WALK_IN: "walk_in",
    Priority.EMERGENCY: "emergency",
}


def counter_of(team_id, counter_id):
    """The active counter `counter_id` of the team, or a 400 for the field."""
    if counter_id is None:
        return None
    counter = Counter.objects.filter(pk=counter_id, team_id=team_id, active=True).first()
    if counter is None:
        raise serializers.ValidationError({"counter": [_("Choose one of the team's counters.")]})
    return counter


# --- Statistics --------------------------------------------------------------------------------


class StatisticsQueryInputSerializer(serializers.Serializer):
    """Filters of the overview; all optional."""

    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, help_text="Team id."
    )
    service = serializers.SlugRelatedField(
        slug_field="slug", queryset=Service.objects.all(), required=False
    )
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


class StatisticsFiltersOutputSerializer(serializers.Serializer):
    team = serializers.IntegerField(allow_null=True)
    service = serializers.CharField(allow_null=True)
    channel = serializers.CharField(allow_null=True)


class FiguresOutputSerializer(serializers.Serializer):
    """appointments.statistics.overview_figures, passed through."""

    target = serializers.FloatField(help_text="The Termintreue target in percent.")
    today = serializers.DateField()
    rebuilt_at = serializers.DateTimeField(
        allow_null=True, help_text="When the daily figures were last rebuilt."
    )
    periods = serializers.DictField(
        child=serializers.DictField(),
        help_text=(
            "week, month, year and the previous ones: start, end, booked, kept, no_show, "
            "termintreue, cancelled…, waiting_minutes, processing_minutes, utilisation, change."
        ),
    )
    weekly = serializers.ListField(child=serializers.DictField())
    weekday = serializers.ListField(child=serializers.DictField())
    hour = serializers.ListField(child=serializers.DictField())


class StatisticsOutputSerializer(serializers.Serializer):
    filters = StatisticsFiltersOutputSerializer()
    figures = FiguresOutputSerializer()


# --- Device tokens and the display -------------------------------------------------------------


class DeviceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    teams = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)

    def get_teams(self, device) -> list[int]:
        return sorted(team.pk for team in device.teams.all())


class DeviceCreatedOutputSerializer(DeviceOutputSerializer):
    token = serializers.CharField(
        help_text="Shown only now: enter it on the device (`Authorization: Device <token>`)."
    )


class DeviceInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    teams = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.filter(active=True), many=True, allow_empty=False
    )

    def validate_name(self, value):
        return " ".join(value.split())  # blanks are refused by DRF already


class DisplayCallOutputSerializer(serializers.Serializer):
    waiting_number = serializers.CharField()
    counter = serializers.CharField(source="counter__number", allow_null=True)
    called_at = serializers.DateTimeField()
    repeated = serializers.SerializerMethodField(help_text="Called more than once.")

    def get_repeated(self, call) -> bool:
        return call["call_count"] > 1


class DisplayTeamOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DisplayOutputSerializer(serializers.Serializer):
    """Waiting numbers and counters only: never anything a resident told us."""

    teams = DisplayTeamOutputSerializer(many=True)
    calls = DisplayCallOutputSerializer(many=True)
