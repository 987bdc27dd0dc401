"""Forms of the queue, visit and day list screens."""

from django import forms
from django.utils.translation import gettext_lazy as _

from appointments.models import Outcome, Team

from .common import DATE, INVALID_DATE, plausible_date


class FinishForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    note = forms.CharField(
        label=_("Internal note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ForwardForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Forward to team"), queryset=Team.objects.none())

    def __init__(self, *args, exclude_team=None, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(active=True)
        if exclude_team is not None:
            teams = teams.exclude(pk=exclude_team.pk)
        self.fields["team"].queryset = teams


class DayForm(forms.Form):
    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=DATE,
        validators=[plausible_date],
        error_messages={"invalid": INVALID_DATE},
    )


class StartDayForm(DayForm):
    """`?from=` of the follow-up screen: the day its three weeks of free times start."""

    def __init__(self, data=None, **kwargs):
        super().__init__({"date": (data or {}).get("from", "")}, **kwargs)


class VisitSearchForm(forms.Form):
    """Open a visit outside today's work (an older one, another team's): code and a reason."""

    code = forms.CharField(label=_("Booking code"), max_length=20)
    reason = forms.CharField(
        label=_("Reason for opening this visit"),
        min_length=10,
        max_length=200,
        help_text=_("Recorded in the audit log, e.g. the file number and the request. No names."),
    )


class NameSearchForm(forms.Form):
    """Caseworkers: today's visits of the team by surname."""

    surname = forms.CharField(label=_("Surname"), max_length=100)
