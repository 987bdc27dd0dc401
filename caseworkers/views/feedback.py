"""Feedback from the accessibility statement, for supervisors: read it and answer by mail."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from appointments.feedback import answer_feedback
from appointments.models import AccessibilityFeedback
from appointments.views.errors import errors_as_messages

from ..forms.privacy import FeedbackAnswerForm
from ..permissions import role_required
from ..roles import ADMINISTRATOR, SUPERVISOR

PAGE_SIZE = 30


def _page(request, template, context, status=200):
    return render(
        request,
        f"caseworkers/supervision/{template}",
        {"section": "feedback", **context},
        status=status,
    )


@role_required(SUPERVISOR, ADMINISTRATOR)
def feedback_list(request):
    page = Paginator(AccessibilityFeedback.objects.all(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _page(request, "feedback.html", {"page": page})


@role_required(SUPERVISOR, ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def feedback_detail(request, feedback_id):
    feedback = get_object_or_404(AccessibilityFeedback, pk=feedback_id)
    form = FeedbackAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with errors_as_messages(request):
            answer_feedback(
                feedback_id=feedback.pk, answer=form.cleaned_data["answer"], actor=request.user
            )
            messages.success(request, _("The answer is on its way."))
        return redirect("caseworkers:supervision:feedback")
    return _page(
        request,
        "feedback_detail.html",
        {"feedback": feedback, "form": form},
        status=400 if form.errors else 200,
    )
