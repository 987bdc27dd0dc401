"""Admin of invitations: imported batches and their rows are shown; windows are configured."""

from django.contrib import admin

from ..models import Invitation, InvitationBatch, InvitationWindow


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

    def has_delete_permission(self, request, obj=None):
        return False  # it would take its invitations along, past the invitation functions


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

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InvitationWindow)
class InvitationWindowAdmin(admin.ModelAdmin):
    list_display = ["service", "weeks_before_from", "weeks_before_until"]
