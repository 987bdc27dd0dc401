"""The form of a service's release policy: release mode and reconfirmation days."""

from django import forms
from django.utils.translation import gettext_lazy as _

from appointments.models import ReleaseMode

MAX_RECONFIRMATION_DAYS = 14


class ReleasePolicyForm(forms.Form):
    release_mode = forms.ChoiceField(
        label=_("Release mode"),
        choices=ReleaseMode.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Allocation: each newly released day is first offered to the waitlist in rank "
            "order; what is left goes to the public calendar when the offers' answer window "
            "has passed. Days already released keep their mode."
        ),
    )
    reconfirmation_days = forms.IntegerField(
        label=_("Reconfirmation … days before the appointment"),
        min_value=0,
        max_value=MAX_RECONFIRMATION_DAYS,
        help_text=_(
            "0: no reconfirmation. Otherwise residents confirm with one click; unconfirmed "
            "places go to the waitlist at the deadline."
        ),
        error_messages={
            "invalid": _("Please enter a whole number of days."),
            "min_value": _("Please enter 0 or more days."),
            "max_value": _("Please enter at most %(limit_value)s days."),
        },
    )
