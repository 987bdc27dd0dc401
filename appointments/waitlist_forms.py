"""Forms of the resident's waitlist pages: the wish (who, preferences, urgency) and its
preferences alone; labels and checks translated, as the booking forms."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forms import PersonForm, SurnameForm
from .models import DayPart, UrgencyReason

WEEKDAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
]


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PreferencesForm(forms.Form):
    """When a place suits the resident."""

    weekdays = forms.MultipleChoiceField(
        label=_("Weekdays that suit me"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any weekday."),
    )
    day_part = forms.ChoiceField(
        label=_("Time of day"), choices=DayPart.choices, required=False, widget=forms.RadioSelect
    )
    earliest_date = forms.DateField(label=_("Not before"), required=False, widget=_date_widget())
    latest_date = forms.DateField(label=_("Not after"), required=False, widget=_date_widget())

    def clean(self):
        data = super().clean()
        first, last = data.get("earliest_date"), data.get("latest_date")
        if first and last and first > last:
            self.add_error(
                "latest_date", _("The earliest date must not lie after the latest date.")
            )
        if last and last < timezone.localdate():
            self.add_error("latest_date", _("The latest date must not lie in the past."))
        return data

    def preference_values(self):
        data = self.cleaned_data
        return {
            "weekdays": "".join(data.get("weekdays") or []),
            "day_part": data.get("day_part") or "",
            "earliest_date": data.get("earliest_date"),
            "latest_date": data.get("latest_date"),
        }


class WishForm(PreferencesForm):
    """Registering a wish: the person (as for a booking), preferences and urgency."""

    surname = SurnameForm.base_fields["surname"]
    nationality = SurnameForm.base_fields["nationality"]
    given_names = PersonForm.base_fields["given_names"]
    date_of_birth = PersonForm.base_fields["date_of_birth"]
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We send the link to confirm your wish and every offer to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_repeat = PersonForm.base_fields["email_repeat"]
    language = PersonForm.base_fields["language"]
    permit_expires_on = forms.DateField(
        label=_("My current residence permit expires on (optional)"),
        required=False,
        widget=_date_widget(),
        help_text=_("Permits expiring soon are offered places first."),
    )
    urgency_reason = forms.ChoiceField(
        label=_("Urgency (optional)"), choices=UrgencyReason.choices, required=False
    )
    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and agree that my data is processed for this "
            "appointment wish."
        ),
        error_messages={"required": _("Please agree to the privacy notice to register.")},
    )

    field_order = [
        "surname",
        "given_names",
        "date_of_birth",
        "nationality",
        "email",
        "email_repeat",
        "language",
        "weekdays",
        "day_part",
        "earliest_date",
        "latest_date",
        "permit_expires_on",
        "urgency_reason",
        "consent",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = PersonForm().fields["language"].initial

    clean_surname = SurnameForm.clean_surname
    clean_date_of_birth = PersonForm.clean_date_of_birth

    def clean(self):
        data = super().clean()
        email, repeat = data.get("email"), data.get("email_repeat")
        if email and repeat and email.strip().lower() != repeat.strip().lower():
            self.add_error("email_repeat", _("The two e-mail addresses are not the same."))
        return data
