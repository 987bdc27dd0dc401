"""A resident's wish for a place: registered with double opt-in, confirmed by the link in the
mail, changed, renewed or withdrawn from its own secret page; lapsed wishes end.

Web form and API call the same functions; the anti-bot challenge and the rate limits are the
interfaces' part, as for bookings (appointments.protection).
"""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..audit import log_event
from ..codes import hash_token, new_token
from ..errors import (
    BookingError,
    LimitReached,
    ServiceNotBookable,
    WishExists,
    WishNotChangeable,
    WishNotFound,
    WishTransitionNotAllowed,
)
from ..models import ACTIVE_STATUSES, OPEN_WISH_STATES, Appointment, Wish, WishState
from ..names import email_key, surname_key
from ..responsibility import responsible_team
from . import allocation, mails
from .lifecycle import move_wish


class InvalidPreferences(BookingError):
    http_status = 400
    default_message = _("The earliest date must not lie after the latest date.")


@dataclass(frozen=True)
class Preferences:
    """When a place suits the resident: weekday digits 0–4 (empty: any), "morning" or
    "afternoon" (empty: any), and an optional date range."""

    weekdays: str = ""
    day_part: str = ""
    earliest_date: dt.date | None = None
    latest_date: dt.date | None = None

    def fields(self):
        return {
            "weekdays": "".join(sorted(set(self.weekdays) & set("01234"))),
            "day_part": self.day_part,
            "earliest_date": self.earliest_date,
            "latest_date": self.latest_date,
        }


def _check(preferences, *, now):
    first, last = preferences.earliest_date, preferences.latest_date
    if first and last and first > last:
        raise InvalidPreferences()
    if last and last < timezone.localdate(now):
        raise InvalidPreferences(_("The latest date must not lie in the past."))


@transaction.atomic
def register_wish(
    *, service, person, preferences=None, permit_expires_on=None, urgency_reason="", now=None
):
    """Put a wish on the waitlist, unconfirmed until the link mailed to the resident is
    opened; returns (wish, token). One open wish per person and per mailbox and service."""
    now = now or timezone.now()
    preferences = preferences or Preferences()
    if not service.active or not service.bookable_online:
        raise ServiceNotBookable()
    _check(preferences, now=now)
    team = responsible_team(service=service, surname=person.surname, nationality=person.nationality)
    keys = {"surname_key": surname_key(person.surname), "email_key": email_key(person.email)}
    if Appointment.objects.filter(
        surname_key=keys["surname_key"],
        date_of_birth=person.date_of_birth,
        service=service,
        status__in=ACTIVE_STATUSES,
    ).exists():
        raise LimitReached()
    token = new_token()
    try:
        with transaction.atomic():
            wish = Wish.objects.create(
                service=service,
                team=team,
                surname=person.surname.strip(),
                given_names=person.given_names.strip(),
                date_of_birth=person.date_of_birth,
                nationality=person.nationality or "",
                email=person.email.strip(),
                language=person.language,
                permit_expires_on=permit_expires_on,
                urgency_reason=urgency_reason or "",
                token_hash=hash_token(token),
                registered_at=now,
                state_changed_at=now,
                expires_at=now + dt.timedelta(hours=settings.WAITLIST_VERIFY_HOURS),
                **keys,
                **preferences.fields(),
            )
    except IntegrityError:
        raise WishExists() from None
    log_event(action="wish.pending", at=now, wish=wish.pk, service=service.pk, team=team.pk)
    mails.wish_registered(wish, token=token)
    return wish, token


def find_wish(*, token):
    """The wish whose secret is `token`; WishNotFound for anything else."""
    wish = (
        Wish.objects.select_related("service", "team").filter(token_hash=hash_token(token)).first()
        if token
        else None
    )
    if wish is None or wish.pseudonymised_at:
        raise WishNotFound()
    return wish


@transaction.atomic
def confirm_wish(*, token, now=None):
    """The link in the mail confirms the wish: it waits from now on, with its lottery ticket
    (seed and ticket logged). Opening it again changes nothing. Returns the wish."""
    now = now or timezone.now()
    wish = find_wish(token=token)
    if wish.state != WishState.PENDING:
        return wish
    if wish.expires_at <= now:
        raise WishNotChangeable(
            _("This confirmation link has expired. Please register your wish again.")
        )
    seed = secrets.token_hex(16)
    ticket = int(hash_token(seed)[:15], 16)
    return move_wish(
        wish_id=wish.pk,
        to_state=WishState.ACTIVE,
        now=now,
        extra_fields={
            "verified_at": now,
            "lottery_seed": seed,
            "lottery_ticket": ticket,
            "expires_at": now + dt.timedelta(days=settings.WAITLIST_WISH_DAYS),
        },
        lottery_seed=seed,
        lottery_ticket=ticket,
    )


@transaction.atomic
def change_preferences(*, wish_id, preferences, now=None):
    """New preferences for an open wish (its rank stays); returns the wish."""
    now = now or timezone.now()
    _check(preferences, now=now)
    fields = preferences.fields()
    if not Wish.objects.filter(pk=wish_id, state__in=OPEN_WISH_STATES).update(**fields):
        raise WishNotChangeable()
    log_event(action="wish.changed", at=now, wish=wish_id)
    return Wish.objects.get(pk=wish_id)


@transaction.atomic
def renew_wish(*, wish_id, now=None):
    """One click keeps the wish for another period; a paused wish waits again. Returns it."""
    now = now or timezone.now()
    wish = Wish.objects.select_for_update().get(pk=wish_id)
    if wish.state not in (WishState.ACTIVE, WishState.OFFERED, WishState.PAUSED):
        raise WishNotChangeable()
    until = now + dt.timedelta(days=settings.WAITLIST_WISH_DAYS)
    Wish.objects.filter(pk=wish.pk).update(expires_at=until, renewal_reminded_at=None)
    if wish.state == WishState.PAUSED:
        move_wish(
            wish_id=wish.pk, to_state=WishState.ACTIVE, now=now, extra_fields={"expired_offers": 0}
        )
    log_event(action="wish.renewed", at=now, wish=wish.pk, until=until.isoformat())
    return Wish.objects.get(pk=wish.pk)


def renew_by_link(*, signed, now=None):
    """The renewal (or resume) link of a reminder mail; returns the wish."""
    try:
        data = signing.loads(signed, salt=mails.RENEW_SALT)
    except signing.BadSignature:
        raise WishNotFound() from None
    return renew_wish(wish_id=data["w"], now=now)


@transaction.atomic
def withdraw_wish(*, wish_id, actor=None, now=None):
    """The resident no longer needs a place: the wish ends; an open offer's place moves on."""
    now = now or timezone.now()
    wish = Wish.objects.select_for_update().get(pk=wish_id)
    if wish.state == WishState.OFFERED:
        allocation.withdraw_open_offer(wish_id=wish.pk, now=now, actor=actor)
    try:
        return move_wish(wish_id=wish.pk, to_state=WishState.WITHDRAWN, actor=actor, now=now)
    except WishTransitionNotAllowed:
        raise WishNotChangeable() from None


def expire_wishes(*, now=None):
    """End unconfirmed and lapsed wishes and mail the renewal reminders; returns
    (ended, reminded)."""
    now = now or timezone.now()
    ended = 0
    lapsed = Wish.objects.filter(
        state__in=(WishState.PENDING, WishState.ACTIVE, WishState.PAUSED), expires_at__lte=now
    )
    for wish_id in list(lapsed.values_list("pk", flat=True)):
        try:
            move_wish(wish_id=wish_id, to_state=WishState.EXPIRED, now=now)
            ended += 1
        except WishTransitionNotAllowed:
            continue  # offered or renewed meanwhile
    reminded = 0
    due = Wish.objects.filter(
        state__in=(WishState.ACTIVE, WishState.PAUSED),
        renewal_reminded_at__isnull=True,
        expires_at__lte=now + dt.timedelta(days=settings.WAITLIST_RENEWAL_REMINDER_DAYS),
    )
    for wish in due.iterator():
        with transaction.atomic():
            if Wish.objects.filter(pk=wish.pk, renewal_reminded_at__isnull=True).update(
                renewal_reminded_at=now
            ):
                mails.renewal_due(wish)
                reminded += 1
    return ended, reminded


def sweep(*, now=None):
    """The periodic job: expired offers move on, lapsed wishes end, reminders go out."""
    now = now or timezone.now()
    offers = allocation.expire_offers(now=now)
    ended, reminded = expire_wishes(now=now)
    return {"offers_ended": offers, "wishes_ended": ended, "reminded": reminded}
