"""Admin of appointments, cases and the event log: shown, changed by the domain functions only."""

from django.contrib import admin

from ..models import Appointment, Case, Event, RebookingOffer
from .base import ShownOnly


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
class CaseAdmin(ShownOnly):
    """Cases are opened by booking and completed by the lifecycle."""

    list_display = ["id", "service", "created_at", "completed_at"]
    list_filter = ["service"]


@admin.register(Event)
class EventAdmin(ShownOnly):
    """The audit log: written in the same transaction as each change, never edited."""

    list_display = ["at", "action", "appointment", "actor"]
    list_filter = ["action"]
    search_fields = ["appointment__code"]
    readonly_fields = ["at", "action", "appointment", "actor", "data"]


@admin.register(RebookingOffer)
class RebookingOfferAdmin(ShownOnly):
    """Personal rebooking links (appointments.rebooking_offers): shown, never the secret's hash."""

    list_display = ["appointment", "created_at", "expires_at", "used_at", "rebooked"]
    fields = ["appointment", "created_at", "expires_at", "used_at", "rebooked"]
    list_select_related = ["appointment", "rebooked"]
    date_hierarchy = "created_at"
