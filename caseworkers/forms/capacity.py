"""Forms of the capacity screens: opening rules, closures, counters."""

import datetime as dt

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments import capacity
from appointments.models import Closure, Counter, OpeningRule, Service, Team

from .common import (
    DATE,
    DATETIME,
    INVALID_DATE,
    INVALID_DATETIME,
    INVALID_TIME,
    TIME,
    ChoiceOfMany,
    ChoiceOfOne,
    plausible_date,
)


class OpeningRuleForm(forms.ModelForm):
    """One weekly window of a team; the model's clean() and constraints check the rest."""

    services = ChoiceOfMany(
        label=_("Services"),
        queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The concerns that can be booked in this window."),
        error_messages={"required": _("Choose at least one service.")},
    )

    class Meta:
        model = OpeningRule
        fields = capacity.RULE_FIELDS
        widgets = {
            "start_time": TIME,
            "end_time": TIME,
            "valid_from": DATE,
            "valid_until": DATE,
        }
        help_texts = {
            "valid_until": _("Leave empty while the rule holds."),
        }
        error_messages = {
            "start_time": {"invalid": INVALID_TIME},
            "end_time": {"invalid": INVALID_TIME},
            "valid_from": {"invalid": INVALID_DATE},
            "valid_until": {"invalid": INVALID_DATE},
        }

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.team = team
        self.fields["services"].queryset = Service.objects.filter(active=True)
        for name in ("slot_minutes", "capacity"):
            self.fields[name].validators.append(MinValueValidator(1))
            self.fields[name].widget.attrs["min"] = 1
        for name in ("valid_from", "valid_until"):
            self.fields[name].validators.append(plausible_date)
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("valid_from", timezone.localdate())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        minutes = cleaned.get("slot_minutes")
        if start and end and minutes and end > start:
            day = dt.date(2000, 1, 1)
            window = dt.datetime.combine(day, end) - dt.datetime.combine(day, start)
            if window < dt.timedelta(minutes=minutes):
                self.add_error("slot_minutes", _("The window is shorter than one slot."))
        return cleaned


class ClosureForm(forms.ModelForm):
    """A span without service for one team or the whole office."""

    team = ChoiceOfOne(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("Whole office"),
        help_text=_("Leave at “Whole office” to close every team."),
    )

    class Meta:
        model = Closure
        fields = ["team", "start", "end", "reason"]
        widgets = {"start": DATETIME, "end": DATETIME}
        help_texts = {"reason": _("Shown to staff; e.g. staff meeting, IT outage.")}
        error_messages = {
            "start": {"invalid": INVALID_DATETIME},
            "end": {"invalid": INVALID_DATETIME},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.order_by("name")
        for name in ("start", "end"):
            self.fields[name].validators.append(plausible_date)

    def clean_end(self):
        end = self.cleaned_data["end"]
        if end <= timezone.now():
            raise forms.ValidationError(_("A closure must end in the future."))
        return end


class CounterForm(forms.ModelForm):
    """Add, rename or (de)activate a counter of a team."""

    class Meta:
        model = Counter
        fields = ["number", "active"]
        labels = {"number": _("Counter name or number")}
        help_texts = {"active": _("Inactive counters are not offered when calling residents.")}

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.instance.team = team

    def clean_number(self):
        number = " ".join(self.cleaned_data["number"].split())
        if not number:
            raise forms.ValidationError(_("Please give the counter a name."))
        taken = Counter.objects.filter(team=self.team, number__iexact=number)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("This team already has a counter with this name."))
        return number
