"""Admin of the staff side's tables: personal API tokens (shown by their prefix only) and which
caseworker belongs to which team."""

from django.contrib import admin

from .models import ApiToken, TeamMembership


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued through the API (the key is shown once, there); here they can be
    seen by prefix and deleted (revoked), never read or created."""

    list_display = ("user", "prefix", "created_at")
    search_fields = ("user__username", "prefix")
    fields = ("user", "prefix", "created_at")
    readonly_fields = fields
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "team")
    list_filter = ("team",)
    search_fields = ("user__username",)
