"""The resident's waitlist pages: register, confirm, the wish's page, the offer's answer."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments.models import Appointment, Offer, OfferState, OutboxMessage, Status, Wish
from appointments.waitlist import allocation, wishes
from tests.factories import bookable_slot, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_challenge(protections_off):
    return None


def form_data(**overrides):
    data = {
        "surname": "Yılmaz",
        "given_names": "Ayşe",
        "date_of_birth": "1990-04-23",
        "nationality": "TR",
        "email": "ayse@example.test",
        "email_repeat": "ayse@example.test",
        "language": "tr",
        "weekdays": ["1", "3"],
        "day_part": "morning",
        "permit_expires_on": "",
        "urgency_reason": "job_start",
        "consent": "on",
    }
    data.update(overrides)
    return data


def link_in(kind, marker):
    body = OutboxMessage.objects.get(kind=kind).text_body
    return marker + body.split(marker, 1)[1].split()[0]


def test_register_confirm_and_see_the_position_band(client):
    service, _team, _slot = bookable_slot()
    response = client.post(f"/de/warteliste/anmelden/{service.slug}/", form_data())
    assert response.status_code == 302 and response["Location"].endswith("/angemeldet/")
    wish = Wish.objects.get()
    assert (wish.weekdays, wish.day_part, wish.language) == ("13", "morning", "tr")
    link = link_in("wish_verification", "/tr/warteliste/bestaetigen/?t=")
    response = client.get(link)
    assert response.status_code == 302 and "?t=" not in response["Location"]  # out of the URL
    assert "Confirm" in client.get("/en/warteliste/bestaetigen/").content.decode()
    response = client.post("/en/warteliste/bestaetigen/")
    assert response.status_code == 302 and response["Location"].endswith("/mein-wunsch/")
    page = client.get("/en/warteliste/mein-wunsch/").content.decode()
    assert "among the next 5" in page


def test_invalid_input_shows_translated_errors_and_stores_nothing(client):
    service, _team, _slot = bookable_slot()
    response = client.post(
        f"/en/warteliste/anmelden/{service.slug}/",
        form_data(email_repeat="x@example.test", latest_date="2020-01-01"),
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "The two e-mail addresses are not the same." in content
    assert "must not lie in the past" in content
    assert not Wish.objects.exists()


def test_a_second_wish_for_the_same_mailbox_is_refused_on_the_form(client):
    service, _team, _slot = bookable_slot()
    client.post(f"/en/warteliste/anmelden/{service.slug}/", form_data())
    response = client.post(
        f"/en/warteliste/anmelden/{service.slug}/",
        form_data(surname="Other", email="ayse@example.test"),
    )
    assert "already an appointment wish" in response.content.decode()
    assert Wish.objects.count() == 1


def test_an_unknown_link_is_a_neutral_not_found(client):
    response = client.get("/en/warteliste/mein-wunsch/?t=nonsense", follow=True)
    assert response.status_code == 404
    assert client.get("/en/warteliste/angebot/1/?s=forged", follow=True).status_code == 404


def test_withdraw_from_the_wish_page(client):
    service, _team, _slot = bookable_slot()
    wish, token = wishes.register_wish(service=service, person=person())
    client.get(f"/en/warteliste/mein-wunsch/?t={token}")
    client.post("/en/warteliste/mein-wunsch/", {"action": "withdraw"})
    assert Wish.objects.get(pk=wish.pk).state == "withdrawn"


def offered(client):
    service, _team, slot = bookable_slot(capacity=1)
    _wish, token = wishes.register_wish(service=service, person=person())
    wishes.confirm_wish(token=token)
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)
    response = client.get(link_in("wish_offer", f"/de/warteliste/angebot/{offer.pk}/?s="))
    assert response.status_code == 302
    return offer


def test_accepting_an_offer_opens_the_booked_appointment(client):
    offer = offered(client)
    page = client.get(f"/en/warteliste/angebot/{offer.pk}/").content.decode()
    assert "Accept this appointment" in page
    response = client.post(f"/en/warteliste/angebot/{offer.pk}/", {"answer": "accept"})
    code = Appointment.objects.get().code
    assert response.status_code == 302 and response["Location"].endswith(f"/termin/{code}/")
    assert client.get(response["Location"]).status_code == 200  # the manage page, token in session
    # accepting again: a clear message, still one booking
    response = client.post(f"/en/warteliste/angebot/{offer.pk}/", {"answer": "accept"}, follow=True)
    assert "already accepted" in response.content.decode()
    assert Appointment.objects.filter(status=Status.BOOKED).count() == 1


def test_accepting_too_late_says_the_time_ran_out(client, clock):
    offer = offered(client)
    clock.move_to(offer.expires_at + dt.timedelta(minutes=1))
    response = client.post(f"/en/warteliste/angebot/{offer.pk}/", {"answer": "accept"}, follow=True)
    assert "has run out" in response.content.decode()
    assert Appointment.objects.get().status == Status.HELD


def test_declining_an_offer_keeps_the_wish_waiting(client):
    offer = offered(client)
    response = client.post(
        f"/en/warteliste/angebot/{offer.pk}/", {"answer": "decline"}, follow=True
    )
    assert "stays on the waitlist" in response.content.decode()
    assert Offer.objects.get(pk=offer.pk).state == OfferState.DECLINED
    assert Wish.objects.get().state == "active"


def test_the_full_calendar_links_to_the_waitlist(client):
    service, _team, slot = bookable_slot(capacity=1)
    slot.delete()
    client.post(f"/en/buchen/{service.slug}/", {"surname": "Yılmaz", "nationality": "TR"})
    page = client.get(f"/en/buchen/{service.slug}/zeit/").content.decode()
    assert f"/en/warteliste/anmelden/{service.slug}/" in page


def test_renewal_link_keeps_the_wish(client):
    service, _team, _slot = bookable_slot()
    wish, token = wishes.register_wish(service=service, person=person())
    wishes.confirm_wish(token=token)
    wishes.expire_wishes(now=timezone.now() + dt.timedelta(days=85))
    client.get(link_in("wish_renewal", "/de/warteliste/verlaengern/?s="))
    response = client.post("/de/warteliste/verlaengern/")
    assert response.status_code == 200
    assert Wish.objects.get(pk=wish.pk).renewal_reminded_at is None


def test_the_wish_page_links_an_open_offer_in_few_queries(client, django_assert_max_num_queries):
    service, _team, slot = bookable_slot(capacity=1)
    _wish, token = wishes.register_wish(service=service, person=person())
    wishes.confirm_wish(token=token)
    [offer] = allocation.offer_freed_place(slot_id=slot.pk)
    client.get(f"/en/warteliste/mein-wunsch/?t={token}")
    with django_assert_max_num_queries(8):
        page = client.get("/en/warteliste/mein-wunsch/").content.decode()
    assert f"/en/warteliste/angebot/{offer.pk}/?s=" in page
    assert "place offered" in page


@pytest.mark.parametrize("language", ["de", "ar", "tr", "ru", "uk", "en"])
def test_the_registration_form_speaks_every_language(client, language):
    service, _team, _slot = bookable_slot()
    page = client.get(f"/{language}/warteliste/anmelden/{service.slug}/").content.decode()
    assert 'name="urgency_reason"' in page and 'name="weekdays"' in page
    if language == "ar":
        assert 'dir="rtl"' in page and "قائمة الانتظار" in page
    if language == "de":
        assert "Auf die Warteliste" in page
