"""Feedback from the accessibility statement: stored for the supervisors, answered by mail."""

from django.db import transaction
from django.utils import timezone

from .audit import log_event
from .errors import FeedbackNotAnswerable
from .models import AccessibilityFeedback, OutboxMessage
from .notifications.messages import render_templates
from .notifications.outbox import enqueue_after_commit


@transaction.atomic
def submit_feedback(*, message, language, name="", email="", page="", now=None):
    """Store one feedback message; the event names only its id (no personal data)."""
    feedback = AccessibilityFeedback.objects.create(
        name=name,
        email=email,
        page=page,
        message=message,
        language=language,
        created_at=now or timezone.now(),
    )
    log_event(action="feedback.received", at=feedback.created_at, feedback=feedback.pk)
    return feedback


@transaction.atomic
def answer_feedback(*, feedback_id, answer, actor, now=None):
    """Record the answer and write it to the outbox, in the language the feedback came in.

    Raises FeedbackNotAnswerable when it was answered already or left no address."""
    now = now or timezone.now()
    answered = AccessibilityFeedback.objects.filter(
        pk=feedback_id, answered_at__isnull=True
    ).exclude(email="")
    if not answered.update(answer=answer, answered_at=now, answered_by=actor):
        raise FeedbackNotAnswerable()
    feedback = AccessibilityFeedback.objects.get(pk=feedback_id)
    subject, text, html = render_templates(
        "appointments/email/feedback_answer", feedback.language, {"feedback": feedback}
    )
    message = OutboxMessage.objects.create(
        kind="feedback_answer",
        idempotency_key=f"feedback:{feedback.pk}",
        recipient=feedback.email,
        language=feedback.language,
        subject=subject[:250],
        text_body=text,
        html_body=html,
    )
    enqueue_after_commit(message.pk)
    log_event(action="feedback.answered", actor=actor, at=now, feedback=feedback.pk)
    return feedback
