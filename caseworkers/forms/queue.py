"""Forms of the queue, visit and day list screens."""

from django import forms
from django.utils.translation import gettext_lazy as _

from appointments.models import Outcome, Team


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
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class NameSearchForm(forms.Form):
    """Caseworkers: today's visits of the team by surname."""

    surname = forms.CharField(label=_("Surname"), max_length=100)
