"""Input and output serializers of the public API: input ones parse and check, output ones
shape the answer. The checks are the web forms' (appointments/forms.py), so both doors accept
the same data."""

import copy
import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from .. import catalogue_cache
from ..errors import InvalidName
from ..households import needs_note_problem
from ..models import Service, Status
from ..name_policy import check_surname, clean_latin_spelling, clean_name

# The longest range of days one availability request may span.
MAX_RANGE_DAYS = 62
# Dates outside these bounds are typing errors (and would overflow date arithmetic).
EARLIEST_DATE, LATEST_DATE = dt.date(2000, 1, 1), dt.date(2199, 12, 31)
INVALID_DATE = _("Please enter a valid date, for example 1990-04-23.")


# --- Services and free times -----------------------------------------------------------------


class ServiceOutputSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField(source="localized_name", help_text="In the request's language.")
    description = serializers.CharField(source="localized_description")
    duration_minutes = serializers.IntegerField()
    bookable_online = serializers.BooleanField()
    offline_hint = serializers.CharField(
        source="localized_offline_hint",
        help_text="What to do instead when the service cannot be booked online.",
    )
    documents = serializers.ListField(
        source="localized_documents",
        child=serializers.CharField(),
        help_text="The documents to bring, in the request's language.",
    )


class DateRangeInputSerializer(serializers.Serializer):
    """`from`/`to` as ISO dates spanning at most `max_range_days` days; `to` defaults to
    `default_days` on from `from` (today)."""

    date_from = serializers.DateField(
        required=False,
        help_text="First day (YYYY-MM-DD); default today.",
        error_messages={"invalid": INVALID_DATE},
    )
    date_to = serializers.DateField(
        required=False,
        help_text="Last day (YYYY-MM-DD); the range spans at most 62 days; default 4 weeks.",
        error_messages={"invalid": INVALID_DATE},
    )

    max_range_days = MAX_RANGE_DAYS
    default_days = 28

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the query names differ from the attribute names.
        self.fields["from"] = self.fields.pop("date_from")
        self.fields["to"] = self.fields.pop("date_to")
        self.fields["from"].source = "date_from"
        self.fields["to"].source = "date_to"

    def default_range(self, first, last):
        first = first or timezone.localdate()
        return first, last or first + dt.timedelta(days=self.default_days - 1)

    def validate(self, attrs):
        for key, name in (("date_from", "from"), ("date_to", "to")):
            value = attrs.get(key)
            if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
                raise serializers.ValidationError({name: [INVALID_DATE]})
        first, last = self.default_range(attrs.get("date_from"), attrs.get("date_to"))
        if last < first:
            raise serializers.ValidationError(
                {"to": _("The last day must not be before the first.")}
            )
        if (last - first).days >= self.max_range_days:
            raise serializers.ValidationError(
                {
                    "to": _("At most %(days)s days can be asked for at once.")
                    % {"days": self.max_range_days}
                }
            )
        return {**attrs, "date_from": first, "date_to": last}


# What the name policy (names.py) checks, for the schema.
SURNAME_RULE = (
    "As in the passport, in any script: letters, spaces, hyphens and apostrophes (no digits, "
    "emoji, markup or invisible direction marks). A surname not in Latin letters needs "
    "`surname_latin`; the first Latin letter after particles such as 'von' or 'al' decides "
    "the responsible team."
)
SURNAME_LATIN_RULE = (
    "The surname's Latin spelling as in the passport; required when `surname` is in another "
    "script (e.g. Arabic or Cyrillic), then it decides the responsible team."
)


def policy_checked(check, *values):
    """A names.py check as a serializer check: InvalidName becomes a validation error."""
    try:
        return check(*values)
    except InvalidName as error:
        raise serializers.ValidationError(error.message) from None


def clean_surname(value):
    return policy_checked(clean_name, value)


def check_latin_spelling(attrs):
    """The cross-field rule: a surname in another script needs its Latin spelling."""
    if attrs.get("surname"):
        try:
            check_surname(attrs["surname"], attrs.get("surname_latin", ""))
        except InvalidName as error:
            raise serializers.ValidationError({"surname_latin": [error.message]}) from None
    return attrs


def surname_latin_field():
    return serializers.CharField(
        required=False, allow_blank=True, max_length=100, default="", help_text=SURNAME_LATIN_RULE
    )


class SlotQueryInputSerializer(DateRangeInputSerializer):
    surname = serializers.CharField(
        required=False,
        min_length=1,
        max_length=100,
        help_text=(
            "With the surname (and nationality) only the responsible team's times are listed; "
            f"only those can be booked for this person. {SURNAME_RULE}"
        ),
    )
    surname_latin = surname_latin_field()
    nationality = CountryField(required=False, help_text="ISO 3166 country code, e.g. TR.")

    def validate_surname(self, value):
        return clean_surname(value)

    def validate_surname_latin(self, value):
        return policy_checked(clean_latin_spelling, value)

    def validate(self, attrs):
        return check_latin_spelling(super().validate(attrs))


class SlotOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    free = serializers.IntegerField(source="free_places", help_text="Free places.")
    team = serializers.CharField(source="team.name")
    location = serializers.CharField(source="team.location")


# --- Booking -----------------------------------------------------------------------------------


def _birth_date(born):
    today = timezone.localdate()
    if born > today:
        raise serializers.ValidationError(_("The date of birth cannot be in the future."))
    if born < today - dt.timedelta(days=365 * 125):
        raise serializers.ValidationError(_("Please check the year of birth."))
    return born


class FurtherPersonInputSerializer(serializers.Serializer):
    """One more person of the household in a group booking (the booker is the first)."""

    surname = serializers.CharField(min_length=1, max_length=100, help_text=SURNAME_RULE)
    given_names = serializers.CharField(min_length=1, max_length=150)
    date_of_birth = serializers.DateField(error_messages={"invalid": INVALID_DATE})

    def validate_surname(self, value):
        return clean_surname(value)

    def validate_given_names(self, value):
        return policy_checked(clean_name, value)

    def validate_date_of_birth(self, born):
        return _birth_date(born)


class ActiveServiceField(serializers.SlugRelatedField):
    """An active service by its slug, from the per-process catalogue (no query per booking)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        service = catalogue_cache.active_service(data)
        if service is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return service


class SharedFieldsSerializer(serializers.Serializer):
    """A serializer whose declared fields are copied shallowly for each instance: DRF's deep
    copy rebuilds every field from its arguments, the ~250 nationality choices included (three
    quarters of checking a booking). These fields keep no state between uses (binding sets the
    copy's own name, parent and source); a nested serializer is copied deeply, as DRF does."""

    def get_fields(self):
        return {
            name: copy.deepcopy(field)
            if isinstance(field, serializers.BaseSerializer)
            else copy.copy(field)
            for name, field in self._declared_fields.items()
        }


class BookingInputSerializer(SharedFieldsSerializer):
    service = ActiveServiceField(slug_field="slug", queryset=Service.objects.filter(active=True))
    slot = serializers.IntegerField(min_value=1, max_value=2**62)
    surname = serializers.CharField(min_length=1, max_length=100, help_text=SURNAME_RULE)
    surname_latin = surname_latin_field()
    given_names = serializers.CharField(min_length=1, max_length=150)
    date_of_birth = serializers.DateField(error_messages={"invalid": INVALID_DATE})
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    nationality = CountryField(required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text="Language of our messages; default the request's language.",
    )
    interpreter = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The resident brings an interpreter or needs language help.",
    )
    interpreter_language = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    needs_wheelchair = serializers.BooleanField(
        required=False, default=False, help_text="Wheelchair access is needed."
    )
    needs_sign_language = serializers.BooleanField(
        required=False, default=False, help_text="A sign-language interpreter is needed."
    )
    needs_companion = serializers.BooleanField(
        required=False, default=False, help_text="An accompanying person comes along."
    )
    needs_note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text="Anything else the office should prepare for: plain text, at most "
        "NEEDS_NOTE_MAX_LENGTH (default 300) characters, no markup or control characters.",
    )
    persons = FurtherPersonInputSerializer(
        many=True,
        required=False,
        help_text="Optional: the further persons of one household booked together (group "
        "booking, at most PARTY_MAX_PERSONS in all, default 5, the booker included). Each "
        "gets their own appointment; the booker's code, token and e-mail serve all.",
    )
    altcha = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=4096,
        help_text=(
            "The solved proof-of-work challenge from GET /api/v1/challenge/ (base64 payload as "
            "the ALTCHA widget submits it); required unless the challenge is switched off."
        ),
    )

    def validate_surname(self, value):
        return clean_surname(value)

    def validate_surname_latin(self, value):
        return policy_checked(clean_latin_spelling, value)

    def validate_given_names(self, value):
        return policy_checked(clean_name, value)

    def validate_date_of_birth(self, born):
        return _birth_date(born)

    def validate_needs_note(self, value):
        note = value.strip()
        problem = needs_note_problem(note)
        if problem:
            raise serializers.ValidationError(problem)
        return note

    def validate_persons(self, value):
        if len(value) + 1 > settings.PARTY_MAX_PERSONS:
            raise serializers.ValidationError(
                _("A group booking is for at most %(count)d persons.")
                % {"count": settings.PARTY_MAX_PERSONS}
            )
        return value

    def validate(self, attrs):
        if not attrs.get("interpreter"):
            attrs["interpreter_language"] = ""
        return check_latin_spelling(attrs)


class BookingCreatedOutputSerializer(SharedFieldsSerializer):
    code = serializers.CharField(help_text="The booking code; the secret token comes by e-mail.")
    status = serializers.ChoiceField(choices=Status.choices)
    expires_at = serializers.DateTimeField(
        source="hold_expires_at",
        allow_null=True,
        help_text="Until when the e-mail link must be opened to confirm the booking.",
    )
    start = serializers.DateTimeField(source="slot.start")
    end = serializers.DateTimeField(source="slot.end")
    persons = serializers.SerializerMethodField(
        help_text="How many persons this booking is for (more than 1: a group booking)."
    )

    def get_persons(self, appointment) -> int:
        return appointment.party.size if appointment.party_id else 1


class VerifyInputSerializer(serializers.Serializer):
    token = serializers.CharField(
        max_length=200, help_text="The secret token from the link in the e-mail (`t=`)."
    )


class RescheduleInputSerializer(serializers.Serializer):
    slot = serializers.IntegerField(
        min_value=1, max_value=2**62, help_text="A free time from the slots list."
    )


class BookingOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    service = serializers.SlugField(source="service.slug")
    service_name = serializers.CharField(source="service.localized_name")
    start = serializers.DateTimeField(source="slot.start")
    end = serializers.DateTimeField(source="slot.end")
    location = serializers.CharField(source="slot.team.location")
    expires_at = serializers.DateTimeField(source="hold_expires_at", allow_null=True)
    can_change = serializers.SerializerMethodField(
        help_text="Whether the appointment can still be moved or cancelled."
    )
    documents = serializers.ListField(
        source="service.localized_documents", child=serializers.CharField()
    )

    def get_can_change(self, appointment) -> bool:
        return (
            appointment.status in (Status.HELD, Status.BOOKED)
            and appointment.slot.start > timezone.now()
        )


# --- Challenge ---------------------------------------------------------------------------------


class ChallengeParametersSerializer(serializers.Serializer):
    algorithm = serializers.CharField()
    cost = serializers.IntegerField()
    keyLength = serializers.IntegerField()  # ALTCHA's wire names
    keyPrefix = serializers.CharField()
    nonce = serializers.CharField()
    salt = serializers.CharField()
    expiresAt = serializers.IntegerField(help_text="Unix time.")


class ChallengeOutputSerializer(serializers.Serializer):
    parameters = ChallengeParametersSerializer()
    signature = serializers.CharField()
