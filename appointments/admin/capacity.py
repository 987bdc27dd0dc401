"""Admin of capacity: teams with their counters and opening rules, closures, slots.

Every change goes through appointments.capacity, as on the capacity screen: it is logged, the
slots are regenerated and a closure cancels and notifies. Slots are only shown.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import ModelForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import capacity
from ..errors import BookingError
from ..models import Closure, Counter, OpeningRule, Slot, Team
from .base import ShownOnly, ThroughTheDomain

CLOSURE_GONE = _("This closure has ended or was removed meanwhile.")


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0
    can_delete = False  # no domain function deletes a counter; deactivate it instead


class OpeningRuleInline(admin.TabularInline):
    model = OpeningRule
    extra = 0
    fields = capacity.RULE_FIELDS


@admin.register(Team)
class TeamAdmin(ThroughTheDomain):
    list_display = ["name", "waiting_prefix", "location", "active"]
    list_filter = ["active"]
    search_fields = ["name"]
    inlines = [CounterInline, OpeningRuleInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is Counter:
            for counter in formset.save(commit=False):
                capacity.save_counter(
                    team=form.instance,
                    number=counter.number,
                    active=counter.active,
                    counter_id=counter.pk,
                    actor=request.user,
                )
        elif formset.model is OpeningRule:
            rules = formset.save(commit=False)
            for rule in formset.deleted_objects:
                capacity.delete_rule(rule_id=rule.pk, actor=request.user)
            for rule in rules:
                rule.save()
            formset.save_m2m()
            for rule in rules:
                created = rule in formset.new_objects
                capacity.rule_saved(rule=rule, created=created, actor=request.user)
        else:
            super().save_formset(request, form, formset, change)


@admin.register(OpeningRule)
class OpeningRuleAdmin(ThroughTheDomain):
    list_display = [
        "team",
        "weekday",
        "start_time",
        "end_time",
        "slot_minutes",
        "capacity",
        "online_capacity",
        "valid_from",
        "valid_until",
    ]
    list_filter = ["team", "weekday", "services"]
    filter_horizontal = ["services"]

    # As on the capacity screen: the form saves the rule, the domain logs and regenerates.
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.has_changed():
            capacity.rule_saved(rule=form.instance, created=not change, actor=request.user)

    def delete_model(self, request, obj):
        capacity.delete_rule(rule_id=obj.pk, actor=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for rule_id in queryset.values_list("pk", flat=True):
            capacity.delete_rule(rule_id=rule_id, actor=request.user)


class ClosureAdminForm(ModelForm):
    class Meta:
        model = Closure
        fields = ["team", "start", "end", "reason"]

    def clean_end(self):
        end = self.cleaned_data["end"]
        if end <= timezone.now():
            raise ValidationError(_("A closure must end in the future."))
        return end


@admin.register(Closure)
class ClosureAdmin(ThroughTheDomain):
    """Saving cancels like the capacity screen. A change replaces the closure in one
    transaction; closures that have ended are history and only shown."""

    form = ClosureAdminForm
    list_display = ["reason", "team", "start", "end"]
    list_filter = ["team"]
    date_hierarchy = "start"

    def _coming(self, obj):
        return obj is None or obj.end > timezone.now()

    def has_change_permission(self, request, obj=None):
        return self._coming(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._coming(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return
        span = {name: form.cleaned_data[name] for name in ("team", "start", "end", "reason")}
        try:
            if change:
                closure, cancelled = capacity.change_closure(
                    closure_id=obj.pk, actor=request.user, **span
                )
            else:
                closure, cancelled = capacity.create_closure(actor=request.user, **span)
        except Closure.DoesNotExist:
            raise BookingError(CLOSURE_GONE) from None
        obj.pk = closure.pk
        self.message_user(
            request,
            capacity.closure_saved_message(cancelled),
        )

    def delete_model(self, request, obj):
        try:
            capacity.delete_closure(closure_id=obj.pk, actor=request.user)
        except Closure.DoesNotExist:
            raise BookingError(CLOSURE_GONE) from None

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        # The action has checked has_delete_permission for each: only coming closures are here.
        for closure in queryset:
            self.delete_model(request, closure)


@admin.register(Slot)
class SlotAdmin(ShownOnly):
    """Slots are made from the opening rules and their places are taken by bookings only."""

    list_display = ["start", "end", "team", "contingent", "capacity", "booked", "closed"]
    list_filter = ["team", "contingent", "closed"]
    date_hierarchy = "start"
    list_select_related = ["team"]
