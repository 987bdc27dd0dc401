"""Messages that could not be delivered: the list for supervisors, and sending one again."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appointments.models import WAITING_MESSAGES, OutboxMessage, OutboxStatus
from appointments.notifications import outbox

from ..permissions import role_required
from ..roles import ADMINISTRATOR, SUPERVISOR


@role_required(SUPERVISOR, ADMINISTRATOR)
def failed_messages(request):
    """Messages that could not be delivered (or are still being retried), newest first."""
    problems = (
        OutboxMessage.objects.filter(status__in=(OutboxStatus.FAILED, *WAITING_MESSAGES))
        .exclude(last_error="")
        .select_related("appointment")
        .order_by("-created_at")[:200]
    )
    return render(request, "caseworkers/failed_messages.html", {"problems": problems})


@require_POST
@role_required(SUPERVISOR, ADMINISTRATOR)
def resend_message(request, message_id):
    if outbox.resend(message_id=message_id, actor=request.user):
        messages.success(request, _("The message is being sent again."))
    else:
        messages.error(request, _("This message is not marked as failed (any more)."))
    return redirect("caseworkers:failed_messages")
