"""The booking wizard: concern → surname → day and time → personal data → reservation held.

The draft lives in the session (never in the URL); every step re-checks it.
"""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .. import availability_cache, catalogue_cache, holds, parties, protection
from ..availability import bookable_dates, free_slots, withheld_days
from ..errors import (
    BookingError,
    ChallengeFailed,
    HoldExpired,
    LimitReached,
    NotFound,
    SlotFull,
    SlotUnavailable,
    TooManyAttempts,
)
from ..forms import PersonForm, SurnameForm
from ..models import Channel, Contingent, Slot, Status
from ..party_forms import NeedsForm, PartySizeForm, other_persons_formset, party_allowed
from ..people import Person
from ..responsibility import responsible_team
from ..selectors import appointment_for_display
from .errors import add_form_error, show_error

DRAFT = "booking_draft"
HELD = "booking_held"
# The secret of each hold made in this session: "send it again" mails the same link.
HOLD_TOKENS = "booking_hold_tokens"
# Where views/manage.py keeps the manage tokens of this session.
MANAGE_TOKENS = "manage_tokens"


def _service(slug):
    service = catalogue_cache.active_service(slug)
    if service is None:
        raise Http404
    return service


def _draft(request, service):
    draft = request.session.get(DRAFT) or {}
    return draft if draft.get("service") == service.slug else None


def too_many(request, error=None, back_url=None):
    """The 429 page: when to try again (from the error), and the way back to the form."""
    context = {"error": error, "back_url": back_url}
    return render(request, "429.html", context, status=429)


# Entered data kept in the session when a limit refuses a hold (never the secrets).
NOT_KEPT = {"csrfmiddlewaretoken", "altcha", "partner_key", "consent"}


@require_http_methods(["GET", "POST"])
def start(request, slug):
    """Step 1: the concern is chosen; ask for the surname (it decides the team)."""
    service = _service(slug)
    if not service.bookable_online:
        return render(request, "appointments/not_online.html", {"service": service})
    draft = _draft(request, service) or {}
    form = SurnameForm(
        request.POST or None,
        initial={
            "surname": draft.get("surname"),
            "surname_latin": draft.get("surname_latin"),
            "nationality": draft.get("nationality"),
        },
    )
    size_form = None
    if party_allowed(service):
        size_form = PartySizeForm(
            request.POST or None, initial={"persons": draft.get("persons", 1)}
        )
    if request.method == "POST" and form.is_valid() and (size_form is None or size_form.is_valid()):
        try:
            team = responsible_team(
                service=service,
                surname=form.cleaned_data["surname_latin"] or form.cleaned_data["surname"],
                nationality=form.cleaned_data["nationality"],
            )
        except BookingError as error:
            add_form_error(form, error)
        else:
            request.session[DRAFT] = {
                "service": service.slug,
                "surname": form.cleaned_data["surname"],
                "surname_latin": form.cleaned_data["surname_latin"],
                "nationality": form.cleaned_data["nationality"],
                "team": team.pk,
                "persons": size_form.cleaned_data["persons"] if size_form else 1,
            }
            return redirect("appointments:calendar", slug=service.slug)
    return render(
        request,
        "appointments/start.html",
        {"service": service, "form": form, "size_form": size_form},
    )


def _calendar_context(service, team_id, *, day=None, now=None, rendered_as=None):
    """Days with free times and, for a chosen day, its times: from the availability cache
    (the place itself is taken by the guarded UPDATE when the resident books)."""
    return availability_cache.calendar(
        service=service, team_id=team_id, day=day, now=now, rendered_as=rendered_as
    )


def _parse_day(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _to_pending_hold(request, service):
    """A step sent again after the hold was made (double click, back button, reload) is
    answered with that hold, not with step 1."""
    pending = holds.latest_pending(codes=request.session.get(HELD) or [], service=service)
    if pending is None:
        return redirect("appointments:start", slug=service.slug)
    return redirect("appointments:held", code=pending.code)


@require_http_methods(["GET", "POST"])
def calendar(request, slug):
    """Step 2: days with free times; then the times of the chosen day."""
    service = _service(slug)
    draft = _draft(request, service)
    if draft is None:
        return _to_pending_hold(request, service)
    if request.method == "POST":
        slot = _valid_slot(request.POST.get("slot"), service, draft["team"])
        if slot is None:
            messages.error(request, _("Please choose one of the free times."))
            return redirect("appointments:calendar", slug=service.slug)
        draft["slot"] = slot.pk
        request.session[DRAFT] = draft
        return redirect("appointments:details", slug=service.slug)
    day = _parse_day(request.GET.get("day"))
    context = _calendar_context(
        service, draft["team"], day=day, rendered_as=f"{get_language()}:{request.path}"
    )
    if request.GET.get("day") and context["selected_day"] is None:
        messages.warning(request, _("There are no free times on that day any more."))
    # One masked token for the calendar's forms and the page's own (each masking costs).
    token = get_token(request)
    context["calendar_html"] = calendar_html(request, context, token)
    return render(
        request, "appointments/calendar.html", {**context, "draft": draft, "csrf_token": token}
    )


# Where each visitor's own CSRF token goes in a shared calendar (a token is letters and digits).
CSRF_MARK = "csrf0mark0of0the0request"


def calendar_html(request, context, csrf_token):
    """partials/calendar.html for the calendar's state: rendered once per state, language and
    page and shared by every visitor who sees it (its days and times are the same for all);
    each visitor's own CSRF token is put in afterwards. The draft's surname stays outside."""
    html = context["rendered"]
    if html is None:
        html = render_to_string(
            "appointments/partials/calendar.html",
            {**context, "csrf_token": CSRF_MARK},
            request=request,
        )
        availability_cache.keep_rendered(context, html)
    return mark_safe(html.replace(CSRF_MARK, csrf_token))  # noqa: S308 (rendered above)


def _valid_slot(value, service, team_id, *, contingents=(Contingent.ONLINE,)):
    """The chosen slot, if it is one the calendar offers right now (free, released, online)."""
    try:
        slot_id = int(value)
    except (TypeError, ValueError):
        return None
    first, last = bookable_dates(service)
    slot = (
        free_slots(
            service=service, team=team_id, date_from=first, date_to=last, contingents=contingents
        )
        .filter(pk=slot_id)
        .first()
    )
    withheld = slot is not None and timezone.localdate(slot.start) in withheld_days(
        service, team_id
    )
    return None if withheld else slot


@require_http_methods(["GET", "POST"])
def details(request, slug):
    """Step 3: personal data, consent and the anti-bot check; then the reservation is held."""
    service = _service(slug)
    draft = _draft(request, service)
    if draft is None:
        return _to_pending_hold(request, service)
    if not draft.get("slot"):
        return redirect("appointments:start", slug=service.slug)
    slot = Slot.objects.select_related("team").filter(pk=draft["slot"]).first()
    if slot is None:
        return redirect("appointments:calendar", slug=service.slug)
    form = PersonForm(request.POST or None, initial=draft.get("entered") or None)
    needs_form = NeedsForm(request.POST or None)
    others = other_persons_formset(
        request.POST or None, count=draft.get("persons", 1), surname=draft["surname"]
    )
    challenge_error = None
    valid = all([form.is_valid(), needs_form.is_valid(), others is None or others.is_valid()])
    if request.method == "POST" and valid:
        try:
            protection.check_hold(
                request,
                email=form.cleaned_data["email"],
                challenge_payload=request.POST.get("altcha", ""),
                person=Person.from_data(form.cleaned_data, surname=draft["surname"]),
                partner_key=form.cleaned_data.get("partner_key", ""),
            )
        except TooManyAttempts as error:
            entered = {k: v for k, v in request.POST.items() if k not in NOT_KEPT}
            request.session[DRAFT] = {**draft, "entered": entered}
            back = reverse("appointments:details", kwargs={"slug": service.slug})
            return too_many(request, error, back_url=back)
        except ChallengeFailed as error:
            challenge_error = error.message
        else:
            outcome = _hold(request, service, slot, draft, form, needs_form, others)
            if outcome is not None:
                return outcome
    return render(
        request,
        "appointments/details.html",
        {
            "service": service,
            "slot": slot,
            "draft": draft,
            "form": form,
            "needs_form": needs_form,
            "others": others,
            "challenge_enabled": protection.challenge_enabled(),
            "challenge_error": challenge_error,
        },
    )


def _hold(request, service, slot, draft, form, needs_form, others):
    data = {**form.cleaned_data, **needs_form.cleaned_data}
    person = Person.from_data(
        data,
        surname=draft["surname"],
        surname_latin=draft.get("surname_latin", ""),
        nationality=draft["nationality"],
    )
    persons = [person, *(Person.from_data(other.cleaned_data) for other in others or ())]
    try:
        appointment, token = parties.book_party(
            service=service, slot_id=slot.pk, persons=persons, channel=Channel.ONLINE
        )
    except (SlotFull, SlotUnavailable) as error:
        show_error(request, error)
        draft.pop("slot", None)
        request.session[DRAFT] = draft
        return redirect("appointments:calendar", slug=service.slug)
    except LimitReached as error:
        pending = holds.pending_for(
            codes=request.session.get(HELD) or [], service=service, person=person
        )
        if pending is None:
            add_form_error(form, error)
            return None
        # The same person sent the details again while the hold is pending: show that hold.
        request.session.pop(DRAFT, None)
        messages.info(request, _("You have already reserved a time. It is held for you below."))
        return redirect("appointments:held", code=pending.code)
    except BookingError as error:
        add_form_error(form, error)
        return None
    request.session.pop(DRAFT, None)
    held = request.session.get(HELD) or []
    request.session[HELD] = [*held[-4:], appointment.code]
    tokens = dict(request.session.get(HOLD_TOKENS) or {})
    tokens[appointment.code] = token
    request.session[HOLD_TOKENS] = dict(list(tokens.items())[-5:])
    return redirect("appointments:held", code=appointment.code)


@never_cache
def held(request, code):
    """After the reservation: until when the place is held (clock time and countdown), where
    the e-mail went, "send it again"; once the hold has run out, the way to choose again."""
    if code not in (request.session.get(HELD) or []):
        raise Http404
    appointment = appointment_for_display(code)
    if appointment is None:
        raise Http404
    token = (request.session.get(HOLD_TOKENS) or {}).get(code)
    if appointment.status == Status.BOOKED and token:
        # Confirmed meanwhile (the link opened on this device): show the appointment.
        manage_tokens = dict(request.session.get(MANAGE_TOKENS) or {})
        manage_tokens[code] = token
        request.session[MANAGE_TOKENS] = manage_tokens
        return redirect("appointments:manage", code=code)
    return render(
        request,
        "appointments/held.html",
        {
            "appointment": appointment,
            "state": holds.hold_state(appointment),
            "can_resend": bool(token),
            "hold_minutes": settings.APPOINTMENT_HOLD_MINUTES,
            "restart_url": reverse("appointments:home"),
            "choose_again_url": reverse(
                "appointments:start", kwargs={"slug": appointment.service.slug}
            ),
        },
    )


@require_POST
def resend(request, code):
    """ "Send it again": the same verification mail once more (limited; the hold stays)."""
    if code not in (request.session.get(HELD) or []):
        raise Http404
    if not protection.link_attempt_allowed(request):
        return too_many(request)
    token = (request.session.get(HOLD_TOKENS) or {}).get(code, "")
    try:
        holds.resend_verification(code=code, token=token)
    except NotFound:
        raise Http404 from None
    except HoldExpired:
        pass  # the held page says it has run out
    except TooManyAttempts as error:
        messages.warning(request, error.message)
    else:
        messages.success(request, _("We have sent the e-mail again."))
    return redirect("appointments:held", code=code)
