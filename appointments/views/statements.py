"""The statements a Hessian authority publishes: privacy notice (periods from the retention
settings), accessibility statement with its feedback form, plain-German explanation, imprint."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import protection, retention
from ..feedback import submit_feedback
from .wizard import too_many


def _period_texts():
    """{days setting: (what, from when)} for every setting an apply_retention category uses."""
    return {
        "RETENTION_APPOINTMENT_DAYS": (
            _("Name, date of birth, e-mail, phone, notes and secret link of an appointment"),
            _("after the visit ended, or after the cancellation or expiry"),
        ),
        "RETENTION_EXPIRED_HOLD_DAYS": (
            _("Appointments reserved but never confirmed"),
            _("after the reservation expired"),
        ),
        "RETENTION_MESSAGE_DAYS": (
            _("Addresses of the messages we sent you (their texts are deleted once sent)"),
            _("after sending"),
        ),
        "RETENTION_EMAIL_LOCK_DAYS": (
            _("Your e-mail address as kept to enforce the booking limits"),
            _("after your appointment ended"),
        ),
        "RETENTION_INVITATION_DAYS": (
            _("Invitations: file number, postal address, letters"),
            _("after the invitation campaign ended"),
        ),
        "RETENTION_LOGIN_ATTEMPT_DAYS": (
            _("Failed logins to the staff area (user name and internet address)"),
            _("after the attempt"),
        ),
        "RETENTION_STAFF_AUDIT_DAYS": (
            _("Records of which staff member opened your data (without the data itself)"),
            _("after the access"),
        ),
        "RETENTION_FEEDBACK_DAYS": (
            _("Your feedback on accessibility (name, e-mail address, message)"),
            _("after our answer, or after it arrived if it was not answered"),
        ),
        "RETENTION_WISH_DAYS": (
            _("Appointment wishes on the waitlist (name, date of birth, e-mail, permit date)"),
            _("after the wish was fulfilled, withdrawn or expired"),
        ),
    }


def retention_periods():
    """(setting, what, from when, days) for every period apply_retention applies (one row per
    days setting of its categories, in their order) and the session cookie, so the notice
    states the periods actually applied. A category with a new setting and no text here fails
    loudly (KeyError) rather than going unmentioned."""
    texts = _period_texts()
    rows = []
    for category in retention.CATEGORIES:
        name = category.days_setting
        if name and name not in (row[0] for row in rows):
            rows.append((name, *texts[name], getattr(settings, name)))
    rows.append(
        (
            "SESSION_COOKIE_AGE",
            _("Session cookie (language, booking steps, your link)"),
            _("after your last visit to these pages"),
            settings.SESSION_COOKIE_AGE // 86400,
        ),
    )
    return rows


@require_GET
def privacy(request):
    return render(request, "appointments/privacy.html", {"periods": retention_periods()})


class FeedbackForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("What did not work for you?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": gettext_lazy("Please describe the barrier you met."),
            "max_length": gettext_lazy("Please keep your message under 4,000 characters."),
        },
    )
    page = forms.CharField(
        label=gettext_lazy("Which page? (optional)"), max_length=300, required=False
    )
    name = forms.CharField(
        label=gettext_lazy("Your name (optional)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address (optional)"),
        help_text=gettext_lazy("Only if you would like an answer."),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": gettext_lazy("Please enter a valid e-mail address.")},
    )


@require_http_methods(["GET", "POST"])
def accessibility(request):
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not protection.link_attempt_allowed(request):
            return too_many(request)
        if form.is_valid():
            submit_feedback(language=get_language(), **form.cleaned_data)
            messages.success(request, _("Thank you. Your feedback has reached us."))
            return redirect("appointments:accessibility")
    return render(
        request,
        "appointments/accessibility.html",
        {
            "form": form,
            "last_checked": settings.ACCESSIBILITY_LAST_CHECKED,
            "statement_date": settings.ACCESSIBILITY_STATEMENT_DATE,
            "enforcement": {
                "name": settings.ACCESSIBILITY_ENFORCEMENT_NAME,
                "address": settings.ACCESSIBILITY_ENFORCEMENT_ADDRESS,
                "email": settings.ACCESSIBILITY_ENFORCEMENT_EMAIL,
                "url": settings.ACCESSIBILITY_ENFORCEMENT_URL,
            },
            "site_url": settings.SITE_URL,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
def easy_language(request):
    return render(request, "appointments/easy_language.html")


@require_GET
def imprint(request):
    return render(
        request,
        "appointments/imprint.html",
        {
            "imprint": {
                "publisher": settings.IMPRINT_PUBLISHER,
                "represented_by": settings.IMPRINT_REPRESENTED_BY,
                "address": settings.IMPRINT_ADDRESS,
                "phone": settings.IMPRINT_PHONE,
                "email": settings.IMPRINT_EMAIL,
                "vat_id": settings.IMPRINT_VAT_ID,
                "content_responsible": settings.IMPRINT_CONTENT_RESPONSIBLE,
            }
        },
    )
