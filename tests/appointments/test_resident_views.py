"""The resident pages: wizard wiring, error display, neutral not-found, limits, manage actions."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from appointments import booking, protection
from appointments.models import Appointment, Slot, Status
from tests.factories import bookable_slot, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_challenge(settings):
    settings.BOOKING_CHALLENGE = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


PERSON_FORM = {
    "given_names": "Ayşe",
    "date_of_birth": "1990-04-23",
    "email": "ayse@example.test",
    "email_repeat": "ayse@example.test",
    "phone": "",
    "language": "tr",
    "consent": "on",
}


def walk_to_details(client, service, slot, surname="Yılmaz"):
    response = client.post(f"/de/buchen/{service.slug}/", {"surname": surname, "nationality": "TR"})
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(f"/de/buchen/{service.slug}/zeit/", {"slot": slot.pk})
    assert response["Location"] == f"/de/buchen/{service.slug}/daten/"


def test_home_lists_services_with_checklists_and_release_time(client):
    service, _team, _slot = bookable_slot()
    content = client.get("/en/").content.decode()
    assert f"Concern {service.slug}" in content  # the English name
    assert "Passport" in content
    assert "07:00" in content


def test_a_service_not_bookable_online_says_what_to_do_instead(client):
    service, _team, _slot = bookable_slot()
    service.bookable_online = False
    service.offline_hint = "Bitte rufen Sie uns an."
    service.save()
    response = client.get(f"/de/buchen/{service.slug}/")
    assert "Bitte rufen Sie uns an." in response.content.decode()


def test_the_whole_booking_holds_a_place_and_mails_a_verification_link(
    client, django_capture_on_commit_callbacks
):
    service, _team, slot = bookable_slot()
    walk_to_details(client, service, slot)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/de/buchen/{service.slug}/daten/", PERSON_FORM)
    appointment = Appointment.objects.get()
    assert response["Location"] == f"/de/termin/{appointment.code}/reserviert/"
    assert appointment.status == Status.HELD and appointment.language == "tr"
    assert appointment.surname == "Yılmaz"
    held = client.get(response["Location"])
    assert appointment.code in held.content.decode()
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/bestaetigen/\?t=\S+", mail.outbox[0].body).group(0)
    assert link.startswith("http://127.0.0.1:8000/tr/termin/")
    path = link.split("8000", 1)[1]
    page = client.get(path, follow=True)  # a mail scanner's GET confirms nothing
    assert page.status_code == 200
    appointment.refresh_from_db()
    assert appointment.status == Status.HELD
    token = path.split("t=", 1)[1]
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(path.split("?")[0], {"t": token})
    assert confirmed["Location"] == f"/tr/termin/{appointment.code}/"  # the mail's language
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED
    assert len(mail.outbox) == 2  # the confirmation with calendar file
    assert mail.outbox[1].attachments[0][0] == f"termin-{appointment.code}.ics"


def test_field_errors_are_listed_and_nothing_is_booked(client):
    service, _team, slot = bookable_slot()
    walk_to_details(client, service, slot)
    bad = {**PERSON_FORM, "email_repeat": "other@example.test", "date_of_birth": "2999-01-01"}
    bad.pop("consent")
    response = client.post(f"/de/buchen/{service.slug}/daten/", bad)
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in content
    assert 'href="#id_email_repeat"' in content and 'href="#id_consent"' in content
    assert not Appointment.objects.exists()
    slot.refresh_from_db()
    assert slot.booked == 0


def test_a_surname_without_latin_letters_is_asked_again(client):
    service, _team, _slot = bookable_slot()
    response = client.post(
        f"/en/buchen/{service.slug}/", {"surname": "Иванов", "nationality": "RU"}
    )
    assert response.status_code == 200
    assert "Latin letters" in response.content.decode()


def test_a_taken_time_sends_the_resident_back_to_the_calendar(client):
    service, _team, slot = bookable_slot(capacity=1)
    walk_to_details(client, service, slot)
    booking.book(service=service, slot_id=slot.pk, person=person(9), channel="staff")
    response = client.post(f"/de/buchen/{service.slug}/daten/", PERSON_FORM, follow=True)
    assert response.redirect_chain[-1][0] == f"/de/buchen/{service.slug}/zeit/"
    assert Appointment.objects.count() == 1


def test_a_second_booking_of_the_same_person_is_a_clear_message(client):
    service, _team, slot = bookable_slot(capacity=3)
    booking.book(
        service=service,
        slot_id=slot.pk,
        channel="online",
        person=person(
            surname="Yılmaz",
            given_names="Ayşe",  # a person is name and birth date (a child may share the mailbox)
            date_of_birth=dt.date(1990, 4, 23),
            email="ayse+other@example.test",
        ),
    )
    walk_to_details(client, service, slot)
    response = client.post(f"/de/buchen/{service.slug}/daten/", PERSON_FORM)
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_manipulated_slot_ids_and_days_change_nothing(client):
    service, _team, _slot = bookable_slot()
    client.post(f"/de/buchen/{service.slug}/", {"surname": "Kaya", "nationality": "TR"})
    for value in ("abc", "", "99999999", "-1"):
        response = client.post(f"/de/buchen/{service.slug}/zeit/", {"slot": value})
        assert response["Location"] == f"/de/buchen/{service.slug}/zeit/"
    for day in ("2026-13-45", "yesterday", "9999-01-01"):
        assert client.get(f"/de/buchen/{service.slug}/zeit/", {"day": day}).status_code == 200
    assert client.get("/de/buchen/no-such-service/").status_code == 404
    assert not Appointment.objects.exists()


def test_the_hold_step_is_rate_limited_per_address(client, settings):
    settings.RATE_LIMITS = True
    settings.RATE_LIMIT_HOLDS_PER_IP_HOUR = 0
    service, _team, slot = bookable_slot()
    walk_to_details(client, service, slot)
    response = client.post(f"/de/buchen/{service.slug}/daten/", PERSON_FORM)
    assert response.status_code == 429
    assert "Zu viele" in response.content.decode() or "Too many" in response.content.decode()
    assert not Appointment.objects.exists()


def test_the_challenge_is_required_when_switched_on(client, settings):
    settings.BOOKING_CHALLENGE = True
    service, _team, slot = bookable_slot()
    walk_to_details(client, service, slot)
    response = client.post(f"/de/buchen/{service.slug}/daten/", {**PERSON_FORM, "altcha": "x"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not Appointment.objects.exists()


@pytest.fixture
def booked(client):
    service, team, slot = bookable_slot(capacity=2)
    _s, _t, later = bookable_slot(service=service, team=team, capacity=2, days_ahead=6)
    appointment, token = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="online"
    )
    booking.verify(code=appointment.code, token=token)
    return appointment, token, later


def test_the_manage_link_stores_the_token_and_cleans_the_address(client, booked):
    appointment, token, _later = booked
    response = client.get(f"/de/termin/{appointment.code}/", {"t": token})
    assert response["Location"] == f"/de/termin/{appointment.code}/"
    page = client.get(response["Location"])
    content = page.content.decode()
    assert appointment.code in content and "<svg" in content  # the QR code
    assert token not in content
    ics = client.get(f"/de/termin/{appointment.code}/kalender.ics")
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content
    printable = client.get(f"/de/termin/{appointment.code}/drucken/").content.decode()
    assert "Gebucht am" in printable or "Booked on" in printable


def test_wrong_code_and_wrong_token_look_the_same(client, booked):
    appointment, _token, _later = booked
    wrong_token = client.get(f"/de/termin/{appointment.code}/", {"t": "nope"}, follow=True)
    wrong_code = client.get("/de/termin/ZZZZZZZZ/", {"t": "nope"}, follow=True)
    assert wrong_token.status_code == wrong_code.status_code == 404

    # the pages differ only in the address itself (the language switch returns to it)
    def neutral(response, code):
        content = response.content.decode().replace(code, "CODE")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content)

    assert neutral(wrong_token, appointment.code) == neutral(wrong_code, "ZZZZZZZZ")
    for path in ("absagen/", "verschieben/", "drucken/", "kalender.ics"):
        assert client.get(f"/de/termin/{appointment.code}/{path}").status_code == 404


def test_cancel_asks_first_then_cancels(client, booked, django_capture_on_commit_callbacks):
    appointment, token, _later = booked
    client.get(f"/de/termin/{appointment.code}/", {"t": token})
    question = client.get(f"/de/termin/{appointment.code}/absagen/")
    assert question.status_code == 200
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/de/termin/{appointment.code}/absagen/")
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert mail.outbox[-1].subject.startswith(("Ihr Termin", "Your appointment"))


def test_reschedule_offers_free_times_and_moves(client, booked):
    appointment, token, later = booked
    client.get(f"/de/termin/{appointment.code}/", {"t": token})
    day = timezone.localdate(later.start).isoformat()
    page = client.get(f"/de/termin/{appointment.code}/verschieben/", {"day": day})
    assert f'value="{later.pk}"' in page.content.decode()
    client.post(f"/de/termin/{appointment.code}/verschieben/", {"slot": later.pk, "confirm": "1"})
    appointment.refresh_from_db()
    assert appointment.slot_id == later.pk
    bad = client.post(f"/de/termin/{appointment.code}/verschieben/", {"slot": "x"}, follow=True)
    assert bad.status_code == 200
    assert Slot.objects.get(pk=later.pk).booked == 1


def test_an_expired_hold_cannot_be_confirmed(client):
    service, _team, slot = bookable_slot()
    appointment, token = booking.book(
        service=service, slot_id=slot.pk, person=person(1), channel="online"
    )
    Appointment.objects.filter(pk=appointment.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.post(f"/de/termin/{appointment.code}/bestaetigen/", {"t": token})
    assert response.status_code == 410
    appointment.refresh_from_db()
    assert appointment.status == Status.HELD


def test_the_calendar_accepts_only_times_it_offers(client):
    from appointments.models import Contingent
    from tests.factories import TeamFactory

    service, team, _slot = bookable_slot()
    _s, _t, internal = bookable_slot(service=service, team=team, contingent=Contingent.INTERNAL)
    _s, _t, far = bookable_slot(service=service, team=team, days_ahead=60)
    _s, _t, foreign = bookable_slot(service=service, team=TeamFactory())
    client.post(f"/de/buchen/{service.slug}/", {"surname": "Kaya", "nationality": "TR"})
    for refused in (internal, far, foreign):
        response = client.post(f"/de/buchen/{service.slug}/zeit/", {"slot": refused.pk})
        assert response["Location"] == f"/de/buchen/{service.slug}/zeit/", refused
    assert "slot" not in client.session["booking_draft"]


def test_a_rate_limit_of_zero_refuses_the_first_attempt(settings):
    settings.RATE_LIMITS = True
    assert protection.allow("test-zero", "1.2.3.4", limit=0, window_seconds=60) is False
    assert protection.allow("test-one", "1.2.3.4", limit=1, window_seconds=60) is True
    assert protection.allow("test-one", "1.2.3.4", limit=1, window_seconds=60) is False


@pytest.mark.parametrize("code", ["AB%00CDEF", "%00", "ÄÖÜ12345", "A" * 40, "abc%20def"])
def test_odd_codes_in_the_address_are_simply_not_found(client, code):
    for path in (
        "",
        "drucken/",
        "absagen/",
        "verschieben/",
        "kalender.ics",
        "antwort/?s=x",
        "bestaetigen/?t=x",
    ):
        assert client.get(f"/de/termin/{code}/{path}").status_code == 404
