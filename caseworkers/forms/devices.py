"""Issuing a call display device."""

from django import forms
from django.utils.translation import gettext_lazy as _

from appointments.models import Team

from .common import ChoiceOfMany


class DeviceTokenForm(forms.Form):
    """A new call display or kiosk and the teams whose calls it shows."""

    name = forms.CharField(
        label=_("Device name"),
        max_length=100,
        help_text=_("Where it hangs, e.g. “Waiting room 1st floor”."),
    )
    teams = ChoiceOfMany(
        label=_("Teams shown"),
        queryset=Team.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one team.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = Team.objects.filter(active=True).order_by("name")

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Please give the device a name."))
        return name
