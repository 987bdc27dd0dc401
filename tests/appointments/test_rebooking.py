"""Cancellations by the office (a closure, a changed opening rule) come with a personal link to
rebook with priority: from the internal places of the same team, once, in six languages."""

import datetime as dt
import re

import pytest
from django.db.models import F
from django.utils import timezone

from appointments import capacity, rebooking
from appointments.errors import NotFound, RebookingExpired, RebookingUsed, SlotUnavailable
from appointments.models import (
    Appointment,
    CancellationReason,
    Channel,
    Contingent,
    OutboxMessage,
    RebookingOffer,
    Slot,
    Status,
)
from appointments.rebooking_offers import find_offer
from appointments.scheduling import generate_slots
from tests.factories import appointment as book_appointment
from tests.factories import bookable_slot, rule_for, staff

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/(\w\w)/neu-buchen/\?t=([\w-]+)")


@pytest.fixture(autouse=True)
def _mail_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _mail(appointment):
    return OutboxMessage.objects.get(appointment=appointment, kind="cancellation")


def _token(appointment):
    found = LINK.search(_mail(appointment).text_body)
    assert found, _mail(appointment).text_body
    return found.group(2)


@pytest.fixture
def closed_over():
    """A booked appointment in 5 days, a free internal place of the same team in 8 days, and
    the closure that cancels the appointment."""
    service, team, slot = bookable_slot(days_ahead=5)
    booked = book_appointment(service=service, slot=slot, n=1)
    _s, _t, internal = bookable_slot(
        service=service, team=team, days_ahead=8, contingent=Contingent.INTERNAL
    )
    capacity.create_closure(
        team=team,
        start=slot.start - dt.timedelta(hours=1),
        end=slot.end + dt.timedelta(hours=1),
        reason="Wasserschaden",
        actor=None,
    )
    booked.refresh_from_db()
    return booked, internal


def test_a_closure_mail_carries_a_personal_rebooking_link_of_which_only_a_hash_is_kept(
    closed_over,
):
    cancelled, _internal = closed_over
    assert cancelled.status == Status.CANCELLED
    mail = _mail(cancelled)
    token = _token(cancelled)
    assert f"neu-buchen/?t={token}" in mail.html_body
    offer = RebookingOffer.objects.get(appointment=cancelled)
    assert token not in offer.token_hash and len(offer.token_hash) == 64
    assert find_offer(token) == offer


def test_the_link_offers_internal_places_of_the_same_team_and_books_once(closed_over):
    cancelled, internal = closed_over
    token = _token(cancelled)
    offer = find_offer(token)
    days, only_internal = rebooking.rebooking_days(offer)
    offered = [s for _d, slots in days for s in slots]
    assert only_internal and internal in offered
    assert {(s.team_id, s.contingent) for s in offered} == {
        (cancelled.slot.team_id, Contingent.INTERNAL)
    }
    elsewhere = bookable_slot(days_ahead=8, contingent=Contingent.INTERNAL)[2]
    with pytest.raises(SlotUnavailable):
        rebooking.rebook(token=token, slot_id=elsewhere.pk)

    new = rebooking.rebook(token=token, slot_id=internal.pk)
    assert new.status == Status.BOOKED and new.channel == Channel.REBOOKING
    assert new.slot == internal and new.surname == cancelled.surname
    assert OutboxMessage.objects.filter(appointment=new, kind="confirmation").exists()
    with pytest.raises(RebookingUsed):
        rebooking.rebook(token=token, slot_id=internal.pk)
    assert Appointment.objects.filter(channel=Channel.REBOOKING).count() == 1


def test_without_internal_places_the_earliest_free_times_are_offered(closed_over):
    cancelled, internal = closed_over
    Slot.objects.filter(team=internal.team, contingent=Contingent.INTERNAL).update(
        booked=F("capacity")
    )
    online = bookable_slot(service=cancelled.service, team=cancelled.slot.team, days_ahead=9)[2]
    days, only_internal = rebooking.rebooking_days(find_offer(_token(cancelled)))
    assert not only_internal
    assert online.pk in [s.pk for _d, slots in days for s in slots]


def test_unknown_and_expired_links_are_refused(closed_over, settings):
    cancelled, _internal = closed_over
    with pytest.raises(NotFound):
        find_offer("x" * 32)
    with pytest.raises(NotFound):
        find_offer("\x00" * 5)
    later = timezone.now() + dt.timedelta(days=settings.REBOOKING_LINK_DAYS, minutes=1)
    with pytest.raises(RebookingExpired):
        find_offer(_token(cancelled), now=later)


def test_the_resident_pages_take_the_link_show_the_places_and_book(client, closed_over):
    cancelled, internal = closed_over
    language, token = LINK.search(_mail(cancelled).text_body).groups()
    url = f"/{language}/neu-buchen/"
    first = client.get(url, {"t": token})
    assert first.status_code == 302 and "t=" not in first["Location"]
    day = timezone.localdate(internal.start).isoformat()
    page = client.get(url, {"day": day})
    assert page.status_code == 200
    assert f'value="{internal.pk}"' in page.content.decode()
    assert client.post(url, {"slot": "nonsense"}).status_code == 302
    done = client.post(url, {"slot": internal.pk})
    assert done.status_code == 302
    shown = client.get(done["Location"])
    new = Appointment.objects.get(channel=Channel.REBOOKING)
    assert new.code in shown.content.decode()
    # The link is spent: opening it again says so, and books nothing.
    client.get(url, {"t": token})
    again = client.get(url)
    assert again.status_code == 410
    assert Appointment.objects.filter(channel=Channel.REBOOKING).count() == 1


@pytest.mark.parametrize("language", ["de", "en", "tr", "ar", "ru", "uk"])
def test_the_rebooking_page_speaks_six_languages(client, closed_over, language):
    cancelled, _internal = closed_over
    client.get(f"/{language}/neu-buchen/", {"t": _token(cancelled)})
    page = client.get(f"/{language}/neu-buchen/")
    assert page.status_code == 200
    assert f'lang="{language}"' in page.content.decode()
    if language != "en":
        assert "Choose a new time" not in page.content.decode()


def test_a_forged_link_is_not_found(client):
    response = client.get("/de/neu-buchen/", {"t": "forged"})
    assert response.status_code == 404
    assert client.get("/de/neu-buchen/").status_code == 404


# --- Opening rules --------------------------------------------------------------------------


def _rule_with_bookings(count):
    """A rule next Monday 08:00–10:00, 3 places (all online), `count` bookings at 09:00."""
    service, team, _slot = bookable_slot(days_ahead=1)
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    rule = rule_for(team, [service], weekday=0, start="08:00", end="10:00", online_capacity=3)
    rule.refresh_from_db()
    generate_slots()
    nine = Slot.objects.get(
        rule=rule,
        contingent=Contingent.ONLINE,
        start=timezone.make_aware(dt.datetime.combine(monday, dt.time(9))),
    )
    booked = [book_appointment(service=service, slot=nine, n=n) for n in range(count)]
    return rule, booked


def test_a_smaller_capacity_strands_the_latest_bookings_beyond_it():
    rule, booked = _rule_with_bookings(3)
    rule.capacity = rule.online_capacity = 1
    stranded = list(capacity.stranded_appointments(rule_id=rule.pk, edited=rule))
    assert stranded == sorted(booked[1:], key=lambda a: a.code)


def test_saving_a_changed_rule_cancels_the_stranded_with_a_rebooking_link():
    rule, booked = _rule_with_bookings(2)
    rule.end_time = dt.time(9)
    rule.save()
    result = capacity.rule_saved(rule=rule, created=False, actor=None)
    assert sorted(result.cancelled_appointments) == sorted(a.pk for a in booked)
    for appointment in booked:
        appointment.refresh_from_db()
        assert appointment.status == Status.CANCELLED
        assert appointment.cancellation_reason == CancellationReason.HOURS
        assert "neu-buchen/?t=" in _mail(appointment).text_body
        assert RebookingOffer.objects.filter(appointment=appointment).exists()


def test_the_admin_shows_the_offers_without_their_hash(client, closed_over):
    cancelled, _internal = closed_over
    admin = staff("administrator")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    offer = RebookingOffer.objects.get(appointment=cancelled)
    page = client.get(f"/admin/appointments/rebookingoffer/{offer.pk}/change/")
    assert page.status_code == 200
    assert offer.token_hash not in page.content.decode()
