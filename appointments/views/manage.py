"""The resident's own appointment: verify, view, print, calendar file, move, cancel.

The secret token arrives once in the e-mail link (`?t=`); it is then kept in the session and
the address bar is cleaned (views/links.py). A wrong code and a wrong token give the same
neutral page. Reminder reply links (`?s=`) are handled alike and end with the appointment.
"""

from django.contrib import messages
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import booking, parties, protection, verification
from ..codes import normalize_code
from ..documents import ics_bytes, link_qr_svg, qr_svg
from ..errors import BookingError, HoldExpired, NotFound
from ..models import ACTIVE_STATUSES, CancellationReason, Slot, Status
from ..notifications.messages import REPLY_SALT, reply_link_expired
from ..selectors import appointment_for_display
from .errors import errors_as_messages, show_error
from .links import move_to_session
from .wizard import _calendar_context, _parse_day, too_many

TOKENS = "manage_tokens"
REPLIES = "reply_links"


def _remember(request, code, token, key=TOKENS):
    tokens = dict(request.session.get(key) or {})
    tokens[code] = token
    if len(tokens) > 10:
        tokens = dict(list(tokens.items())[-10:])
    request.session[key] = tokens


def _token_keeper(request, code):
    """For links.move_to_session: keep the link's token for this code (rate limited)."""

    def keep(token):
        if not _allowed(request):
            return too_many(request)
        _remember(request, normalize_code(code), token)
        return None

    return keep


def _not_found(request):
    return render(request, "appointments/not_found.html", status=404)


def _allowed(request):
    return protection.link_attempt_allowed(request)


def _resolve(request, code):
    """(appointment, token) for the code and the token from the link or the session."""
    code = normalize_code(code)
    token = (request.session.get(TOKENS) or {}).get(code, "")
    try:
        return booking.find_by_code_and_token(code=code, token=token), token
    except NotFound:
        return None, None


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request, code):
    """The link from the verification e-mail: one button confirms (mail scanners only GET)."""
    if not _allowed(request):
        return too_many(request)
    code = normalize_code(code)

    def keep(token):
        try:
            booking.find_by_code_and_token(code=code, token=token)
        except NotFound:
            return _not_found(request)  # a wrong link is not kept
        _remember(request, code, token)
        return None

    moved = move_to_session(request, "t", keep)
    if moved:
        return moved
    token = request.POST.get("t") or (request.session.get(TOKENS) or {}).get(code, "")
    try:
        appointment = booking.find_by_code_and_token(code=code, token=token)
    except NotFound:
        return _not_found(request)
    if request.method == "POST" or appointment.status != Status.HELD:
        try:
            appointment = booking.verify(code=code, token=token)
        except HoldExpired as error:
            return render(
                request, "appointments/expired.html", {"message": error.message}, status=410
            )
        except BookingError as error:
            show_error(request, error)
            return _not_found(request)
        _remember(request, appointment.code, token)
        messages.success(request, _("Thank you: your appointment is booked."))
        return redirect("appointments:manage", code=appointment.code)
    return render(request, "appointments/verify.html", {"appointment": appointment})


@never_cache
def manage(request, code):
    moved = move_to_session(request, "t", _token_keeper(request, code))
    if moved:
        return moved
    appointment, _token = _resolve(request, code)
    if appointment is None:
        return _not_found(request)
    return render(
        request,
        "appointments/manage.html",
        {
            "appointment": appointment,
            "qr": qr_svg(appointment.code),
            "can_change": appointment.status in (Status.HELD, Status.BOOKED)
            and appointment.slot.start > timezone.now(),
            "is_active": appointment.status in ACTIVE_STATUSES,
            "party_persons": parties.members(appointment) if appointment.party_id else [],
        },
    )


@never_cache
def printable(request, code):
    appointment, _token = _resolve(request, code)
    if appointment is None:
        return _not_found(request)
    context = {"appointment": appointment, "qr": qr_svg(appointment.code)}
    if appointment.status in verification.VALID:
        # Employers and authorities check the confirmation with this signed link.
        check_url = verification.check_url(appointment)
        context["check_url"] = check_url
        context["check_qr"] = link_qr_svg(check_url, title=_("Check this confirmation"))
    return render(request, "appointments/print.html", context)


@never_cache
def ics(request, code):
    appointment, _token = _resolve(request, code)
    if appointment is None or appointment.status not in ACTIVE_STATUSES:
        return _not_found(request)
    response = HttpResponse(ics_bytes(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="termin-{appointment.code}.ics"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request, code):
    appointment, _token = _resolve(request, code)
    if appointment is None:
        return _not_found(request)
    if appointment.status == Status.CANCELLED:
        # A replayed cancel (the button pressed twice, the page sent again): say how it is.
        messages.info(request, _("This appointment is already cancelled."))
        return redirect("appointments:manage", code=appointment.code)
    if request.method == "POST":
        with errors_as_messages(request):
            parties.cancel_party(appointment_id=appointment.pk, reason=CancellationReason.RESIDENT)
            messages.success(
                request, _("Your appointment has been cancelled. Thank you for letting us know.")
            )
        return redirect("appointments:manage", code=appointment.code)
    return render(request, "appointments/cancel.html", {"appointment": appointment})


@never_cache
@require_http_methods(["GET", "POST"])
def reschedule(request, code):
    appointment, token = _resolve(request, code)
    if appointment is None:
        return _not_found(request)
    if appointment.status not in (Status.HELD, Status.BOOKED):
        messages.error(request, _("This appointment can no longer be moved."))
        return redirect("appointments:manage", code=appointment.code)
    if request.method == "POST":
        try:
            slot_id = int(request.POST.get("slot", ""))
        except ValueError:
            messages.error(request, _("Please choose one of the free times."))
            return redirect("appointments:reschedule", code=appointment.code)
        if request.POST.get("confirm") != "1":
            # Like cancelling: the chosen time is only shown with the old one; the
            # confirming POST (from that page) moves the appointment.
            return _confirm_move(request, appointment, slot_id)
        with errors_as_messages(request):
            parties.move_party(appointment_id=appointment.pk, slot_id=slot_id, token=token)
            messages.success(request, _("Your appointment has been moved."))
            return redirect("appointments:manage", code=appointment.code)
        return redirect("appointments:reschedule", code=appointment.code)
    context = _calendar_context(
        appointment.service, appointment.slot.team_id, day=_parse_day(request.GET.get("day"))
    )
    return render(request, "appointments/reschedule.html", {**context, "appointment": appointment})


def _confirm_move(request, appointment, slot_id):
    new_slot = Slot.objects.select_related("team").filter(pk=slot_id).first()
    if new_slot is None or new_slot.start <= timezone.now():
        messages.error(request, _("Please choose one of the free times."))
        return redirect("appointments:reschedule", code=appointment.code)
    return render(
        request,
        "appointments/reschedule_confirm.html",
        {"appointment": appointment, "new_slot": new_slot},
    )


def _reply_link(signed, code):
    """(appointment, answer, expired) of a reply link signed for this code, else None."""
    try:
        data = signing.loads(signed, salt=REPLY_SALT)
    except signing.BadSignature:
        return None
    appointment = appointment_for_display(code)
    if (
        appointment is None
        or data.get("c") != appointment.code
        or data.get("a") not in ("confirm", "cancel")
    ):
        return None
    return appointment, data["a"], reply_link_expired(data, appointment)


@never_cache
@require_http_methods(["GET", "POST"])
def reply(request, code):
    """A reminder's one-click answers: "I will come" or "cancel so someone else can have it".

    The link carries a signature for exactly this appointment and answer, valid until the
    appointment ends; the page asks for one press of a button, so a mail scanner opening the
    link changes nothing.
    """
    if not _allowed(request):
        return too_many(request)
    code = normalize_code(code)

    def keep(signed):
        if _reply_link(signed, code) is None:
            return _not_found(request)
        _remember(request, code, signed, key=REPLIES)
        return None

    moved = move_to_session(request, "s", keep)
    if moved:
        return moved
    signed = request.POST.get("s") or (request.session.get(REPLIES) or {}).get(code, "")
    link = _reply_link(signed, code)
    if link is None:
        return _not_found(request)
    appointment, answer, expired = link
    if expired:
        return render(
            request,
            "appointments/expired.html",
            {
                "title": _("Link expired"),
                "message": _("This link has expired: the appointment is over."),
            },
            status=410,
        )
    if request.method == "POST":
        if appointment.status != Status.BOOKED:
            messages.error(request, _("This appointment can no longer be changed."))
        elif answer == "confirm":
            booking.confirm_attendance(appointment_id=appointment.pk)
            messages.success(request, _("Thank you. We look forward to seeing you."))
        else:
            with errors_as_messages(request):
                parties.cancel_party(
                    appointment_id=appointment.pk, reason=CancellationReason.RESIDENT
                )
                messages.success(
                    request,
                    _("Your appointment has been cancelled. Thank you for letting us know."),
                )
        return render(request, "appointments/reply_done.html", {"appointment": appointment})
    return render(
        request,
        "appointments/reply.html",
        {"appointment": appointment, "answer": answer, "signed": signed},
    )
