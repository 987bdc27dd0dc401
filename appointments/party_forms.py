"""Forms of the group booking and the needs stated up front (booking wizard)."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forms import policy_checked
from .households import needs_note_problem
from .models import PartyMode
from .name_policy import clean_name


def party_allowed(service):
    return service.party_mode != PartyMode.NONE and settings.PARTY_MAX_PERSONS > 1


class PartySizeForm(forms.Form):
    """Step 1, for services that take group bookings: how many persons come together."""

    persons = forms.TypedChoiceField(
        label=_("How many persons?"),
        help_text=_("Persons of one household who come together, you included."),
        coerce=int,
        initial=1,
        required=False,
        empty_value=1,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persons"].choices = [
            (n, str(n)) for n in range(1, settings.PARTY_MAX_PERSONS + 1)
        ]


def _birth_date(born):
    today = timezone.localdate()
    if born > today:
        raise forms.ValidationError(_("The date of birth cannot be in the future."))
    if born < today - dt.timedelta(days=365 * 125):
        raise forms.ValidationError(_("Please check the year of birth."))
    return born


class OtherPersonForm(forms.Form):
    """Step 3: one more person of the group (the booker is the first person)."""

    given_names = forms.CharField(label=_("Given names"), max_length=150)
    surname = forms.CharField(label=_("Surname"), max_length=100)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Please enter a valid date, for example 1990-04-23.")},
    )

    # One name policy for every name field (name_policy.py); the group shares the booker's
    # team, so no Latin spelling is needed to route another person.
    def clean_given_names(self):
        return policy_checked(clean_name, self.cleaned_data["given_names"])

    def clean_surname(self):
        return policy_checked(clean_name, self.cleaned_data["surname"])

    def clean_date_of_birth(self):
        return _birth_date(self.cleaned_data["date_of_birth"])


OtherPersonFormSet = forms.formset_factory(OtherPersonForm, extra=0)


def other_persons_formset(data, *, count, surname):
    """The forms for persons 2..count, the surname prefilled with the booker's (None for one
    person: the form stays what it was)."""
    if count <= 1:
        return None
    return OtherPersonFormSet(
        data, prefix="person", initial=[{"surname": surname} for _n in range(count - 1)]
    )


class NeedsForm(forms.Form):
    """Step 3: needs stated up front, so the office can prepare (all optional)."""

    needs_wheelchair = forms.BooleanField(label=_("Wheelchair access needed"), required=False)
    needs_sign_language = forms.BooleanField(
        label=_("Sign-language interpreter needed"), required=False
    )
    needs_companion = forms.BooleanField(
        label=_("I will come with an accompanying person"), required=False
    )
    needs_note = forms.CharField(
        label=_("Anything else we should know to prepare (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.NEEDS_NOTE_MAX_LENGTH
        self.fields["needs_note"].max_length = limit
        self.fields["needs_note"].widget.attrs["maxlength"] = limit
        self.fields["needs_note"].help_text = _("Plain text, at most %(count)d characters.") % {
            "count": limit
        }

    def clean_needs_note(self):
        note = self.cleaned_data["needs_note"].strip()
        problem = needs_note_problem(note)
        if problem:
            raise forms.ValidationError(problem)
        return note
