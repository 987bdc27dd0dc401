"""The filters of the report pages: clear, translated errors for bad input, never a 500."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appointments import statistics
from appointments.models import Channel, Service, Team

MAX_RANGE_DAYS = 3 * 366
DEFAULT_RANGE_DAYS = 90
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.localized_name


class ReportFilterForm(forms.Form):
    """Date range, team, service and channel of a breakdown (all optional)."""

    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"),
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("All teams"),
    )
    service = ServiceChoiceField(
        label=gettext_lazy("Service"),
        queryset=Service.objects.order_by("sort_order", "name"),
        required=False,
        empty_label=gettext_lazy("All services"),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=[("", gettext_lazy("All channels")), *Channel.choices],
        required=False,
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        if self.errors:
            return data
        data["date_to"] = data.get("date_to") or today
        data["date_from"] = data.get("date_from") or data["date_to"] - dt.timedelta(
            days=DEFAULT_RANGE_DAYS
        )
        if not all(EARLIEST <= data[name] <= LATEST for name in ("date_from", "date_to")):
            raise forms.ValidationError(
                _("Please choose dates between %(first)s and %(last)s.")
                % {"first": EARLIEST.year, "last": LATEST.year},
                code="out_of_range",
            )
        if data["date_from"] > data["date_to"]:
            raise forms.ValidationError(
                _("The start date must not be after the end date."), code="order"
            )
        if (data["date_to"] - data["date_from"]).days > MAX_RANGE_DAYS:
            raise forms.ValidationError(
                _("Please choose a range of at most three years."), code="too_long"
            )
        return data

    def query(self):
        """The cleaned filter as a query string (for the CSV links)."""
        values = {}
        for name, value in self.cleaned_data.items():
            if isinstance(value, dt.date):
                values[name] = value.isoformat()
            elif value:
                values[name] = getattr(value, "pk", value)
        return urlencode(values)

    def filters(self):
        data = self.cleaned_data
        return statistics.make_filters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            team=data.get("team"),
            service=data.get("service"),
            channel=data.get("channel"),
        )


class ForecastForm(forms.Form):
    team = ReportFilterForm.base_fields["team"]
    service = ReportFilterForm.base_fields["service"]
