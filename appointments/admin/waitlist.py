"""Admin of the waitlist: wishes and offers are read-only (they change only through
appointments.waitlist, which logs every move); the list shows no personal data."""

from django.contrib import admin

from ..models import Offer, Wish


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Wish)
class WishAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "service",
        "team",
        "state",
        "urgency_reason",
        "registered_at",
        "expires_at",
    ]
    list_filter = ["state", "service", "team", "urgency_reason"]
    list_select_related = ["service", "team"]
    exclude = ["token_hash", "surname_key", "email_key"]


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ["pk", "wish", "slot", "state", "offered_at", "expires_at", "answered_at"]
    list_filter = ["state"]
    list_select_related = ["wish", "slot"]
