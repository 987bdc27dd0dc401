"""The outbox: messages to residents, written with the change that causes them, sent after it."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .appointments import Appointment


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    # Due like a pending message, but written by the worker that sends it, from the appointment
    # and `render_context` (see notifications.messages.LATER). A status of its own: a worker of
    # an earlier release, which knows only "pending", never sends such a row without a body.
    UNWRITTEN = "unwritten", _("to be written")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


# A message waiting for its (next) attempt: pending, or unwritten (written by the worker).
WAITING_MESSAGES = (OutboxStatus.PENDING, OutboxStatus.UNWRITTEN)


class OutboxMessage(models.Model):
    """One message to a resident, written in the transaction of the change that causes it.

    A task delivers it after the commit; the sweeper retries what is due. The idempotency key
    (appointment, kind, occasion) makes every message exist once, however often it is asked for.
    Bodies are emptied once sent: they may contain the secret manage link. The mails of a
    booking are stored unwritten (their context only) and written by the worker that sends them.
    """

    kind = models.CharField(_("kind"), max_length=30)
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    idempotency_key = models.CharField(max_length=120, unique=True)
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=5)
    subject = models.CharField(_("subject"), max_length=250)
    text_body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True)
    # What the templates need beyond the appointment, for a message the worker writes (status
    # unwritten); None once written and sent. It may hold the secret link, as the bodies do.
    render_context = models.JSONField(null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.idempotency_key} ({self.status})"
