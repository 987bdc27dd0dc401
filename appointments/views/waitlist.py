"""The resident's waitlist pages: register a wish, confirm it, its own page (position band,
preferences, renew, withdraw), and the answer to an offer.

Secrets arrive once in a mail link (`?t=` the wish's, `?s=` a signed offer or renewal link),
move into the session (views/links.py), and every button is a POST (mail scanners only GET).
"""

from django.contrib import messages
from django.core import signing
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import protection
from ..errors import BookingError, ChallengeFailed, TooManyAttempts, WishNotFound
from ..models import Offer, OfferState, Service, WishState
from ..people import Person
from ..waitlist import allocation, mails, ranking, wishes
from ..waitlist_forms import PreferencesForm, WishForm
from .errors import add_form_error, errors_as_messages, show_error
from .links import move_to_session
from .manage import _remember
from .wizard import too_many

WISH_LINK = "waitlist_token"
OFFERS = "waitlist_offers"
RENEW = "waitlist_renew"


def _keeper(request, store):
    def keep(value):
        if not protection.link_attempt_allowed(request):
            return too_many(request)
        store(value)
        return None

    return keep


def _keep_token(request):
    return move_to_session(
        request, "t", _keeper(request, lambda t: request.session.__setitem__(WISH_LINK, t))
    )


def _wish(request):
    try:
        return wishes.find_wish(token=request.session.get(WISH_LINK, ""))
    except WishNotFound:
        return None


def _not_found(request):
    return render(request, "appointments/waitlist/not_found.html", status=404)


@require_http_methods(["GET", "POST"])
def register(request, slug):
    """Register a wish for a concern (the same anti-bot check and limits as a booking)."""
    service = get_object_or_404(Service, slug=slug, active=True)
    if not service.bookable_online:
        return render(request, "appointments/not_online.html", {"service": service})
    form = WishForm(request.POST or None)
    challenge_error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            protection.check_hold(
                request, email=data["email"], challenge_payload=request.POST.get("altcha", "")
            )
        except TooManyAttempts:
            return too_many(request)
        except ChallengeFailed as error:
            challenge_error = error.message
        else:
            try:
                wishes.register_wish(
                    service=service,
                    person=Person.from_data(
                        data, surname=data["surname"], nationality=data["nationality"]
                    ),
                    preferences=wishes.Preferences(**form.preference_values()),
                    permit_expires_on=data.get("permit_expires_on"),
                    urgency_reason=data.get("urgency_reason") or "",
                )
            except BookingError as error:
                add_form_error(form, error)
            else:
                return redirect("appointments:waitlist:registered")
    return render(
        request,
        "appointments/waitlist/register.html",
        {
            "service": service,
            "form": form,
            "challenge_enabled": protection.challenge_enabled(),
            "challenge_error": challenge_error,
        },
    )


def registered(request):
    return render(request, "appointments/waitlist/registered.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request):
    """The link from the registration mail: one button confirms the wish."""
    kept = _keep_token(request)
    if kept is not None:
        return kept
    wish = _wish(request)
    if wish is None:
        return _not_found(request)
    if request.method == "POST" or wish.state != WishState.PENDING:
        with errors_as_messages(request):
            wishes.confirm_wish(token=request.session.get(WISH_LINK, ""))
            return redirect("appointments:waitlist:wish")
    return render(request, "appointments/waitlist/confirm.html", {"wish": wish})


@never_cache
@require_http_methods(["GET", "POST"])
def wish_page(request):
    """The wish's own page: state, position band, preferences, renew, withdraw."""
    kept = _keep_token(request)
    if kept is not None:
        return kept
    wish = _wish(request)
    if wish is None:
        return _not_found(request)
    form = PreferencesForm(
        request.POST if request.POST.get("action") == "change" else None,
        initial={
            "weekdays": list(wish.weekdays),
            "day_part": wish.day_part,
            "earliest_date": wish.earliest_date,
            "latest_date": wish.latest_date,
        },
    )
    action = request.POST.get("action")
    if action == "change" and form.is_valid():
        with errors_as_messages(request):
            wishes.change_preferences(
                wish_id=wish.pk, preferences=wishes.Preferences(**form.preference_values())
            )
            messages.success(request, _("Your preferences have been saved."))
            return redirect("appointments:waitlist:wish")
    elif action in ("renew", "withdraw"):
        with errors_as_messages(request):
            if action == "renew":
                wishes.renew_wish(wish_id=wish.pk)
                messages.success(request, _("Your wish has been renewed."))
            else:
                wishes.withdraw_wish(wish_id=wish.pk)
                messages.success(request, _("Your wish has been withdrawn."))
        return redirect("appointments:waitlist:wish")
    open_offer = wish.offers.filter(state=OfferState.OPEN).select_related("slot").first()
    return render(
        request,
        "appointments/waitlist/wish.html",
        {
            "wish": wish,
            "band": ranking.position_band(wish),
            "form": form,
            "open_offer": open_offer,
            "offer_signature": mails.offer_signature(open_offer) if open_offer else "",
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def renew(request):
    """The one-click link of the renewal reminder (and of the paused mail)."""

    def store(value):
        request.session[RENEW] = value

    kept = move_to_session(request, "s", _keeper(request, store))
    if kept is not None:
        return kept
    signed = request.session.get(RENEW, "")
    if request.method == "POST":
        try:
            wish = wishes.renew_by_link(signed=signed)
        except BookingError as error:
            show_error(request, error)
        else:
            return render(request, "appointments/waitlist/renewed.html", {"wish": wish})
    return render(request, "appointments/waitlist/renew.html", {"valid": bool(signed)})


def _offer_from_session(request, offer_id):
    signed = (request.session.get(OFFERS) or {}).get(str(offer_id), "")
    try:
        data = signing.loads(signed, salt=mails.OFFER_SALT)
    except signing.BadSignature:
        return None
    if data.get("o") != offer_id:
        return None
    return Offer.objects.select_related("slot", "wish", "wish__service").filter(pk=offer_id).first()


@never_cache
@require_http_methods(["GET", "POST"])
def offer(request, offer_id):
    """An offer: the held time and two buttons, accept and decline."""

    def store(value):
        offers = dict(request.session.get(OFFERS) or {})
        offers[str(offer_id)] = value
        request.session[OFFERS] = dict(list(offers.items())[-10:])

    kept = move_to_session(request, "s", _keeper(request, store))
    if kept is not None:
        return kept
    found = _offer_from_session(request, offer_id)
    if found is None:
        return _not_found(request)
    answer = request.POST.get("answer")
    if answer == "accept":
        try:
            appointment, token = allocation.accept_offer(offer_id=found.pk)
        except BookingError as error:
            show_error(request, error)
        else:
            _remember(request, appointment.code, token)
            messages.success(
                request, _("Your appointment is booked. We have sent you a confirmation.")
            )
            return redirect("appointments:manage", code=appointment.code)
    elif answer == "decline":
        with errors_as_messages(request):
            allocation.decline_offer(offer_id=found.pk)
            messages.success(
                request, _("You have declined this time. Your wish stays on the waitlist.")
            )
        return redirect("appointments:waitlist:offer", offer_id=found.pk)
    found.refresh_from_db()
    return render(request, "appointments/waitlist/offer.html", {"offer": found})
