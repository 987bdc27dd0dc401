"""The resident's answer to an invitation: see the reserved appointment, confirm it, choose
another time in the window, or decline with a reason.

The link from the e-mail or the letter's QR code carries the secret token (`?t=`), which is
kept in the session as on the manage page; the short link printed on letters asks for the
date of birth instead.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .. import protection
from ..codes import normalize_code
from ..invitations import answers
from ..models import DeclineReason, InvitationState
from .errors import errors_as_messages
from .links import move_to_session
from .manage import _allowed, _remember, _resolve, _token_keeper
from .wizard import _parse_day, too_many


class AccessForm(forms.Form):
    date_of_birth = forms.DateField(
        label=gettext_lazy("Date of birth"),
        help_text=gettext_lazy("As in the letter's address: the invited person's date of birth."),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": gettext_lazy("Please enter a valid date, for example 1990-04-23.")
        },
    )


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why do you not need the appointment?"),
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Anything else we should know? (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _invitation(request, code):
    """(invitation, token) for the code and the token kept in the session."""
    appointment, token = _resolve(request, code)
    if appointment is None:
        return None, None
    return answers.for_appointment(appointment), token


def _to_detail(code):
    return redirect("appointments:invitation:detail", code=normalize_code(code))


def _entry(view):
    """Views reachable from the links in the e-mail: take the token, then show the page."""

    def wrapped(request, code):
        moved = move_to_session(request, "t", _token_keeper(request, code))
        if moved:
            return moved
        invitation, token = _invitation(request, code)
        if invitation is None:
            return _access_page(request, code, AccessForm())
        return view(request, invitation, token)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return never_cache(require_http_methods(["GET", "POST"])(wrapped))


def _access_page(request, code, form, status=200):
    return render(
        request,
        "appointments/invitation/access.html",
        {"code": normalize_code(code), "form": form},
        status=status,
    )


@never_cache
@require_POST
def access(request, code):
    """The short link's check: booking code (in the address) and date of birth."""
    form = AccessForm(request.POST)
    code = normalize_code(code)
    if not form.is_valid():
        return _access_page(request, code, form, status=400)
    per_code = protection.allow(
        "invitation-access",
        code,
        limit=settings.INVITATION_ACCESS_TRIES_PER_HOUR,
        window_seconds=3600,
    )
    if not (_allowed(request) and per_code):
        return too_many(request)
    token = answers.access_by_birth_date(
        code=code, date_of_birth=form.cleaned_data["date_of_birth"]
    )
    if token is None:
        form.add_error(
            "date_of_birth",
            _("We could not find an invitation for this code and date of birth."),
        )
        return _access_page(request, code, form, status=400)
    _remember(request, code, token)
    return _to_detail(code)


def _detail(request, invitation, token):
    """The invitation: the reserved appointment and the three possible answers."""
    return render(
        request,
        "appointments/invitation/detail.html",
        {
            "invitation": invitation,
            "appointment": invitation.appointment,
            "can_answer": answers.can_answer(invitation),
            "States": InvitationState,
        },
    )


detail = _entry(_detail)


@never_cache
@require_POST
def confirm(request, code):
    invitation, _token = _invitation(request, code)
    if invitation is None:
        return _access_page(request, code, AccessForm(), status=403)
    with errors_as_messages(request):
        answers.confirm(invitation_id=invitation.pk)
        messages.success(request, _("Thank you: your appointment is confirmed. See you then."))
    return _to_detail(code)


def _reschedule(request, invitation, token):
    """Another free time within the invitation's window."""
    code = invitation.appointment.code
    if not answers.can_answer(invitation):
        messages.error(request, _("This appointment can no longer be moved."))
        return _to_detail(code)
    if request.method == "POST":
        try:
            slot_id = int(request.POST.get("slot", ""))
        except ValueError:
            messages.error(request, _("Please choose one of the free times."))
            return redirect("appointments:invitation:reschedule", code=code)
        with errors_as_messages(request):
            answers.reschedule(invitation_id=invitation.pk, slot_id=slot_id, token=token)
            messages.success(request, _("Your appointment has been moved."))
            return _to_detail(code)
        return redirect("appointments:invitation:reschedule", code=code)
    days = answers.free_days(invitation)
    day = _parse_day(request.GET.get("day"))
    selected = next(((d, slots) for d, slots in days if d == day), None)
    first, last = answers.reschedule_range(invitation)
    return render(
        request,
        "appointments/invitation/reschedule.html",
        {
            "invitation": invitation,
            "appointment": invitation.appointment,
            "days": days,
            "selected_day": selected[0] if selected else None,
            "selected_slots": selected[1] if selected else [],
            "window_first": first,
            "window_last": last,
        },
    )


reschedule = _entry(_reschedule)


def _decline(request, invitation, token):
    """Decline with a reason; the appointment is cancelled and its place freed."""
    code = invitation.appointment.code
    if not answers.can_answer(invitation):
        messages.error(request, _("This appointment can no longer be changed."))
        return _to_detail(code)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_as_messages(request):
            answers.decline(
                invitation_id=invitation.pk,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            messages.success(
                request,
                _("Thank you for letting us know. The appointment has been cancelled."),
            )
        return _to_detail(code)
    return render(
        request,
        "appointments/invitation/decline.html",
        {"invitation": invitation, "appointment": invitation.appointment, "form": form},
        status=400 if form.errors else 200,
    )


decline = _entry(_decline)
