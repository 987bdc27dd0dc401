"""The forms of the supervisors' screen for written data-protection requests."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .common import DATE, INVALID_DATE

EARLIEST_BIRTH = dt.date(1900, 1, 2)  # 1900-01-01 is the placeholder of erased rows


def plausible_birth_date(value):
    if not EARLIEST_BIRTH <= value <= timezone.localdate():
        raise forms.ValidationError(_("Please enter a date of birth between 1900 and today."))


class PersonSearchForm(forms.Form):
    """Name and date of birth as given in the written request (sent by POST: no personal data
    in addresses or server logs)."""

    surname = forms.CharField(label=_("Surname"), max_length=100)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=DATE,
        validators=[plausible_birth_date],
        error_messages={"invalid": INVALID_DATE},
    )

    def clean_surname(self):
        surname = self.cleaned_data["surname"].strip()
        if not surname:
            raise forms.ValidationError(_("Please enter the surname."))
        return surname


class EraseForm(forms.Form):
    confirmed = forms.BooleanField(
        label=_("The resident has asked in writing for deletion, and I have checked who they are."),
        error_messages={"required": _("Please confirm the written request.")},
    )


class FeedbackAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Sent by e-mail; write it in the language of the feedback if you can."),
    )
