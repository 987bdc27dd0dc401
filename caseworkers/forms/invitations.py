"""Forms of the invitation screens: the upload of an export of expiring permits, the target
window per service."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appointments.invitations import csv_import
from appointments.models import Service

from .common import ChoiceOfOne

# What the upload page says about each column (key of csv_import.COLUMNS → explanation).
COLUMN_HELP = {
    "file_number": gettext_lazy(
        "Required. Unique per file; with the expiry date it identifies a row."
    ),
    "surname": gettext_lazy(
        "Required. In any script: letters, spaces, hyphens and apostrophes (no digits, symbols "
        "or direction marks)."
    ),
    "surname_latin": gettext_lazy(
        "Required when the surname is not in Latin letters: its Latin spelling as in the "
        "passport (it decides the responsible team)."
    ),
    "given_names": gettext_lazy("Required."),
    "date_of_birth": gettext_lazy("Required. DD.MM.YYYY (also YYYY-MM-DD)."),
    "nationality": gettext_lazy(
        "Required. ISO code (DE, TUR) or country name in German or English."
    ),
    "email": gettext_lazy(
        "E-mail or postal address is required. With an e-mail the invitation is mailed."
    ),
    "postal_address": gettext_lazy(
        "Address lines for the letter's window, separated by | "
        "(e.g. Hauptstraße 1|65183 Wiesbaden)."
    ),
    "language": gettext_lazy(
        "Optional: de, en, tr, ar, ru, uk (or the language's name); empty or unknown: German."
    ),
    "permit_type": gettext_lazy("Optional. Shown in the batch only."),
    "expiry_date": gettext_lazy("Required. DD.MM.YYYY; must lie in the future."),
    "service": gettext_lazy("Required. The service's short name (see below) or its name."),
    "salutation": gettext_lazy(
        "Optional: Frau or Herr (letter: “Sehr geehrte Frau …”); empty: “Guten Tag …”."
    ),
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file of expiring permits"),
        help_text=gettext_lazy(
            "Separated by ; or , in UTF-8 or Windows-1252, one header line; the columns are listed "
            "below."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    @staticmethod
    def columns():
        """[(header, required, explanation), …] for the upload page."""
        return [
            (spellings[0].capitalize(), key in csv_import.REQUIRED, COLUMN_HELP[key])
            for key, spellings in csv_import.COLUMNS.items()
        ]

    @staticmethod
    def services():
        """The active services with their short names (the column "Anliegen")."""
        return Service.objects.filter(active=True).order_by("slug")


class WindowForm(forms.Form):
    weeks_before_from = forms.IntegerField(
        label=gettext_lazy("from … weeks before expiry"), min_value=1, max_value=52
    )
    weeks_before_until = forms.IntegerField(
        label=gettext_lazy("until … weeks before expiry"), min_value=0, max_value=51
    )

    def clean(self):
        data = super().clean()
        weeks_from, weeks_until = data.get("weeks_before_from"), data.get("weeks_before_until")
        if weeks_from is not None and weeks_until is not None and weeks_from <= weeks_until:
            raise forms.ValidationError(_("The window must start before it ends."))
        return data


class ServiceForm(forms.Form):
    """The concern a window row was sent for (a hidden field; anything else is refused)."""

    service = ChoiceOfOne(queryset=Service.objects.all())
