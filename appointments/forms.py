"""Forms of the resident booking pages: labels, help texts and checks, all translated."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .errors import InvalidName
from .name_policy import check_surname, clean_latin_spelling, clean_name


def policy_checked(check, *values):
    """A names.py check as a form check: its InvalidName becomes the field's error."""
    try:
        return check(*values)
    except InvalidName as error:
        raise forms.ValidationError(error.message) from None


def _country_choices():
    return [("", _("Please choose")), *list(countries)]


class SurnameForm(forms.Form):
    """Step 1: who is booking, so the responsible team's times are shown."""

    surname = forms.CharField(
        label=_("Surname"),
        max_length=100,
        help_text=_("As in your passport, in any script."),
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    surname_latin = forms.CharField(
        label=_("Latin spelling as in the passport"),
        max_length=100,
        required=False,
        help_text=_(
            "Only needed if your surname is written in another script, for example Arabic "
            "or Cyrillic: the spelling in Latin letters from your passport."
        ),
    )
    nationality = forms.ChoiceField(
        label=_("Nationality"),
        choices=_country_choices,
        widget=forms.Select(attrs={"autocomplete": "country"}),
    )

    def clean_surname(self):
        return policy_checked(clean_name, self.cleaned_data["surname"])

    def clean_surname_latin(self):
        return policy_checked(clean_latin_spelling, self.cleaned_data["surname_latin"])

    def clean(self):
        data = super().clean()
        if data.get("surname") and "surname_latin" in data:
            try:
                check_surname(data["surname"], data["surname_latin"])
            except InvalidName as error:
                self.add_error("surname_latin", error.message)
        return data


class PersonForm(forms.Form):
    """Step 3: the personal data the visit needs, and consent to the privacy notice."""

    given_names = forms.CharField(
        label=_("Given names"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Please enter a valid date, for example 1990-04-23.")},
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We send the link to confirm your appointment to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_repeat = forms.EmailField(
        label=_("E-mail address again"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=40,
        required=False,
        help_text=_("Only used if we have to reach you at short notice."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    language = forms.ChoiceField(
        label=_("Language for our messages to you"),
        choices=settings.LANGUAGES,
    )
    interpreter_needed = forms.BooleanField(
        label=_("I will bring an interpreter / I need language help"),
        required=False,
    )
    interpreter_language = forms.CharField(
        label=_("Which language?"),
        max_length=50,
        required=False,
    )
    partner_key = forms.CharField(
        label=_("Partner key (counselling offices only)"),
        max_length=200,
        required=False,
        help_text=_(
            "Counselling offices that book for many people receive a key from us. Residents "
            "leave this empty."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=True),
    )
    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and agree that my data is processed for this "
            "appointment."
        ),
        error_messages={"required": _("Please agree to the privacy notice to book.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = (get_language() or "de").split("-")[0]

    def clean_given_names(self):
        return policy_checked(clean_name, self.cleaned_data["given_names"])

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if born < today - dt.timedelta(days=365 * 125):
            raise forms.ValidationError(_("Please check the year of birth."))
        return born

    def clean(self):
        data = super().clean()
        email, repeat = data.get("email"), data.get("email_repeat")
        if email and repeat and email.strip().lower() != repeat.strip().lower():
            self.add_error("email_repeat", _("The two e-mail addresses are not the same."))
        if data.get("interpreter_needed") is False:
            data["interpreter_language"] = ""
        return data


class FindAppointmentForm(forms.Form):
    """ "Find my appointment": what proves the booking is yours (the link goes to the mailbox)."""

    code = forms.CharField(
        label=_("Booking code"),
        max_length=20,
        help_text=_("8 characters, e.g. K7MX-3QPA: in the confirmation and on the printout."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Please enter a valid date, for example 1990-04-23.")},
    )
    email = forms.EmailField(
        label=_("E-mail address used for the booking"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
