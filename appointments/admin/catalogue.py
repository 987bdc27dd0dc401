"""Admin of the catalogue: services and which team serves whom (configuration, no workflow)."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from ..models import ResponsibilityRule, Service
from ..responsibility import coverage_problems


class ResponsibilityFormSet(BaseInlineFormSet):
    """All rules of one service are edited together, so overlaps and gaps are checked here."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rules = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not rules:
            return  # a service without rules is simply not routed yet
        problems = coverage_problems(rules)
        if problems:
            raise ValidationError(problems)


class ResponsibilityInline(admin.TabularInline):
    model = ResponsibilityRule
    formset = ResponsibilityFormSet
    extra = 0
    fields = ["letter_from", "letter_to", "nationalities", "team"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "duration_minutes",
        "bookable_online",
        "needs_follow_up",
        "booking_window_min_days",
        "booking_window_max_days",
        "release_time",
        "active",
    ]
    list_filter = ["active", "bookable_online", "needs_follow_up"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ResponsibilityInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "active", "sort_order", "duration_minutes"]}),
        (
            _("Texts"),
            {
                "fields": [
                    "name_translations",
                    "description",
                    "description_translations",
                    "documents",
                ]
            },
        ),
        (
            _("Online booking"),
            {
                "fields": [
                    "bookable_online",
                    "offline_hint",
                    "offline_hint_translations",
                    "booking_window_min_days",
                    "booking_window_max_days",
                    "release_time",
                    "party_mode",
                ]
            },
        ),
        (_("Follow-up visit"), {"fields": ["needs_follow_up", "follow_up_service"]}),
    ]
