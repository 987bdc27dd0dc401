"""Forms of the reception desk: finding an appointment, adding a walk-in."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from appointments.codes import normalize_code
from appointments.errors import InvalidName
from appointments.models import Service, Team
from appointments.name_policy import check_surname, clean_latin_spelling, clean_name


class FindForm(forms.Form):
    """Reception: a booking code (typed or scanned), or the surname: with the date of birth
    from today on, alone among today's appointments (a list to pick from)."""

    code = forms.CharField(
        label=_("Booking code"),
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autofocus": True, "autocapitalize": "characters"}
        ),
    )
    surname = forms.CharField(label=_("Surname"), required=False, max_length=100)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        data["code"] = normalize_code(data.get("code"))
        if not data["code"] and not data.get("surname"):
            raise forms.ValidationError(
                _("Enter the booking code, or the surname (with the date of birth if known).")
            )
        return data


class WalkInForm(forms.Form):
    """A visit without appointment. The team follows from concern and surname (as for a
    booking); another team, or an emergency past the day's places, needs a reason."""

    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.filter(active=True),
        required=False,
        empty_label=_("The responsible team (from concern and surname)"),
    )
    service = forms.ModelChoiceField(
        label=_("Concern"), queryset=Service.objects.filter(active=True)
    )
    surname = forms.CharField(label=_("Surname"), max_length=100)
    surname_latin = forms.CharField(
        label=_("Latin spelling as in the passport"),
        max_length=100,
        required=False,
        help_text=_("Required when the surname is not in Latin letters (decides the team)."),
    )
    given_names = forms.CharField(label=_("Given names"), max_length=150)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    # no country preselected: reception asks (a wrong default would route to the wrong team)
    nationality = forms.ChoiceField(
        label=_("Nationality"), choices=lambda: [("", "---------"), *countries]
    )
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="de")
    interpreter_needed = forms.BooleanField(label=_("Interpreter needed"), required=False)
    interpreter_language = forms.CharField(
        label=_("Interpreter language"), max_length=50, required=False
    )
    urgent = forms.BooleanField(
        label=_("Emergency (e.g. permit expires within days): call first"), required=False
    )
    other_team = forms.BooleanField(label=_("Other team than the responsible one"), required=False)
    override_reason = forms.CharField(
        label=_("Reason for the other team"), max_length=200, required=False
    )
    beyond_contingent = forms.BooleanField(
        label=_("Emergency beyond today's walk-in places"), required=False
    )
    beyond_reason = forms.CharField(
        label=_("Reason for the emergency beyond the places"),
        max_length=200,
        required=False,
        help_text=_("Required for reception; a supervisor may leave it empty."),
    )

    def __init__(self, *args, by_supervisor=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_supervisor = by_supervisor

    def _policy(self, check, name):
        try:
            return check(self.cleaned_data[name])
        except InvalidName as error:
            raise forms.ValidationError(error.message) from None

    def clean_surname(self):
        return self._policy(clean_name, "surname")

    def clean_surname_latin(self):
        return self._policy(clean_latin_spelling, "surname_latin")

    def clean_given_names(self):
        return self._policy(clean_name, "given_names")

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born > dt.date.today() or born.year < 1900:
            raise forms.ValidationError(_("Please check the date of birth."))
        return born

    def clean(self):
        data = super().clean()
        if data.get("surname") and "surname_latin" in data:
            try:
                check_surname(data["surname"], data["surname_latin"])
            except InvalidName as error:
                self.add_error("surname_latin", error.message)
        if data.get("other_team"):
            if not data.get("team"):
                self.add_error("team", _("Choose the team that should serve this person."))
            if not data.get("override_reason", "").strip():
                self.add_error("override_reason", _("Please give a reason for the other team."))
        else:
            data["override_reason"] = ""
        if data.get("beyond_contingent"):
            if not data.get("urgent"):
                self.add_error(
                    "beyond_contingent", _("Only an emergency may go beyond the day's places.")
                )
            if not self.by_supervisor and not data.get("beyond_reason", "").strip():
                self.add_error(
                    "beyond_reason", _("Please give a reason for the emergency beyond the places.")
                )
        return data
