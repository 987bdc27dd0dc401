"""Django admin for administrators: services, teams, rules, closures, slots, appointments."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .models import (
    Appointment,
    Case,
    Closure,
    Counter,
    Event,
    Invitation,
    InvitationBatch,
    InvitationWindow,
    OpeningRule,
    OutboxMessage,
    OutboxStatus,
    ResponsibilityRule,
    Service,
    Slot,
    Team,
)
from .notifications import outbox
from .responsibility import coverage_problems


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
                ]
            },
        ),
        (_("Follow-up visit"), {"fields": ["needs_follow_up", "follow_up_service"]}),
    ]


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0


class OpeningRuleInline(admin.TabularInline):
    model = OpeningRule
    extra = 0
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


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "waiting_prefix", "location", "active"]
    list_filter = ["active"]
    search_fields = ["name"]
    inlines = [CounterInline, OpeningRuleInline]


@admin.register(OpeningRule)
class OpeningRuleAdmin(admin.ModelAdmin):
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


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["reason", "team", "start", "end"]
    list_filter = ["team"]
    date_hierarchy = "start"


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["start", "end", "team", "contingent", "capacity", "booked", "closed"]
    list_filter = ["team", "contingent", "closed"]
    date_hierarchy = "start"
    readonly_fields = ["booked"]  # only the booking functions change it
    list_select_related = ["team"]


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    readonly_fields = ["at", "action", "actor", "data"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["code", "surname", "service", "slot", "channel", "status"]
    list_filter = ["status", "channel", "service", "slot__team"]
    search_fields = ["code", "surname", "surname_key"]
    list_select_related = ["service", "slot", "slot__team"]
    date_hierarchy = "created_at"
    inlines = [EventInline]

    # The lifecycle, the place counters and the resident's data (anti-trading) are changed by
    # the domain functions only; the admin shows them.
    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["id", "service", "created_at", "completed_at"]
    list_filter = ["service"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "appointment", "actor"]
    list_filter = ["action"]
    search_fields = ["appointment__code"]
    readonly_fields = ["at", "action", "appointment", "actor", "data"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "appointment", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "kind"]
    search_fields = ["appointment__code", "idempotency_key"]
    list_select_related = ["appointment"]
    actions = ["resend_failed"]
    # Recipients' addresses and bodies are personal data: shown, never edited here.
    readonly_fields = [
        "kind",
        "appointment",
        "idempotency_key",
        "recipient",
        "language",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "last_error",
        "created_at",
        "sent_at",
    ]
    exclude = ["text_body", "html_body", "attachments"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send the selected failed messages again"))
    def resend_failed(self, request, queryset):
        count = sum(
            outbox.resend(message_id=pk, actor=request.user)
            for pk in queryset.filter(status=OutboxStatus.FAILED).values_list("pk", flat=True)
        )
        self.message_user(request, _("%(count)d message(s) queued again.") % {"count": count})


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    can_delete = False
    fields = [
        "row_number",
        "file_number",
        "surname",
        "service",
        "expiry_date",
        "state",
        "appointment",
        "problem",
    ]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InvitationBatch)
class InvitationBatchAdmin(admin.ModelAdmin):
    list_display = ["created_at", "source_name", "rows_in_file", "created_by"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "source_name",
        "created_at",
        "created_by",
        "rows_in_file",
        "skipped",
        "allocation_requested_at",
        "allocation_finished_at",
        "progress_total",
        "progress_done",
    ]
    exclude = ["allocation_heartbeat_at"]
    inlines = [InvitationInline]

    def has_add_permission(self, request):
        return False  # batches come from the upload in the backoffice


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["file_number", "surname", "service", "expiry_date", "state", "delivery"]
    list_filter = ["state", "delivery", "service"]
    search_fields = ["file_number", "surname", "appointment__code"]
    list_select_related = ["service"]

    # Imported data and the answer trail are changed by the invitation functions only.
    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(InvitationWindow)
class InvitationWindowAdmin(admin.ModelAdmin):
    list_display = ["service", "weeks_before_from", "weeks_before_until"]
