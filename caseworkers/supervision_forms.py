"""Forms of the supervisor screens: opening rules, closures, counters, audit filter, devices."""

import datetime as dt
import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments.codes import CODE_LENGTH, is_valid_code, normalize_code
from appointments.models import Closure, Counter, OpeningRule, Service, Team

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


def _plausible_id(value):
    # Ids past the database's integer range crash SQLite's lookups: they are invalid choices.
    return re.fullmatch(r"[0-9]{1,18}", str(value)) is not None


class ChoiceOfOne(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not _plausible_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class ChoiceOfMany(forms.ModelMultipleChoiceField):
    def clean(self, value):
        for pk in value or ():
            if not _plausible_id(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)


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
        fields = [
            "weekday",
            "start_time",
            "end_time",
            "slot_minutes",
            "capacity",
            "online_capacity",
            "services",
            "valid_from",
            "valid_until",
        ]
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
