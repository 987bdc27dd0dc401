"""The audit log's filter."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from appointments.codes import CODE_LENGTH, is_valid_code, normalize_code

from .common import DATE, INVALID_DATE, plausible_date


class AuditFilterForm(forms.Form):
    """Filters of the audit log; all optional."""

    action = forms.CharField(
        label=_("Action starts with"),
        required=False,
        max_length=60,
        help_text=_("For example “appointment.”, “personal_data.” or “closure.created”."),
    )
    code = forms.CharField(label=_("Booking code"), required=False, max_length=20)
    user = forms.CharField(label=_("Staff member (username)"), required=False, max_length=150)
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=DATE,
        validators=[plausible_date],
        error_messages={"invalid": INVALID_DATE},
    )
    date_to = forms.DateField(
        label=_("Until"),
        required=False,
        widget=DATE,
        validators=[plausible_date],
        error_messages={"invalid": INVALID_DATE},
    )

    def clean_action(self):
        return self.cleaned_data["action"].strip()

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        if code and not is_valid_code(code):
            raise forms.ValidationError(
                _("A booking code has %(length)d letters and digits, e.g. K7MX3Q9A.")
                % {"length": CODE_LENGTH}
            )
        return code

    def clean_user(self):
        username = self.cleaned_data["user"].strip()
        if username and not get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("There is no staff member with this username."))
        return username

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The end of the period must not be before its start."))
        return cleaned
