"""Admin of the outbox: messages are shown; failed ones can be queued again."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import OutboxMessage, OutboxStatus
from ..notifications import outbox


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

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what was sent; the sweeper and resend work from it

    @admin.action(description=_("Send the selected failed messages again"))
    def resend_failed(self, request, queryset):
        count = sum(
            outbox.resend(message_id=pk, actor=request.user)
            for pk in queryset.filter(status=OutboxStatus.FAILED).values_list("pk", flat=True)
        )
        self.message_user(request, _("%(count)d message(s) queued again.") % {"count": count})
