"""The form of the partner-key screen: a counselling office and its limit per address."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PartnerKeyForm(forms.Form):
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    limit = forms.IntegerField(
        label=_("Reservations per hour from the organisation's address"),
        min_value=1,
        max_value=10_000,
        initial=lambda: settings.PARTNER_KEY_DEFAULT_LIMIT,
        help_text=_("Higher than the limit of an address without a key (see the settings)."),
    )

    def clean_organisation(self):
        name = " ".join(self.cleaned_data["organisation"].split())
        if not name:
            raise forms.ValidationError(_("Please enter the organisation."))
        return name
