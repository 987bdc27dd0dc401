"""Admin pages of the staff side: which caseworker belongs to which team."""

from django.contrib import admin

from .models import TeamMembership


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "team")
    list_filter = ("team",)
    search_fields = ("user__username",)
