"""Widgets, messages and fields the supervisor forms share: dates and times that browsers
show as pickers, friendly errors for implausible dates and ids."""

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
INVALID_DATE = _("Please enter a valid date, for example 2026-04-23.")
INVALID_TIME = _("Please enter a valid time, for example 08:30.")
INVALID_DATETIME = _("Please enter a valid date and time, for example 2026-04-23 08:30.")
# Dates far outside any plausible use overflow when converted to UTC; refuse them politely.
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2199, 12, 31)


def plausible_date(value):
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise forms.ValidationError(
            _("Please enter a date between %(first)s and %(last)s."),
            params={"first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
        )


def plausible_id(value):
    # Ids past the database's integer range crash SQLite's lookups: they are invalid choices.
    return re.fullmatch(r"[0-9]{1,18}", str(value)) is not None


class ChoiceOfOne(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not plausible_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class ChoiceOfMany(forms.ModelMultipleChoiceField):
    def clean(self, value):
        for pk in value or ():
            if not plausible_id(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)
