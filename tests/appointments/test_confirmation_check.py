"""A confirmation others can verify: the printout's signed link confirms the day, initials and
year of birth only, only while the appointment is valid; all else gets one neutral answer."""

import datetime as dt
import re
import shutil
import subprocess

import pytest
import time_machine
from django.utils import timezone, translation

from appointments import booking, verification
from appointments.models import CancellationReason
from appointments.templatetags.abh import day
from tests.factories import appointment, bookable_slot

pytestmark = pytest.mark.django_db

NEUTRAL = "cannot be checked"


@pytest.fixture
def booked():
    service, _team, slot = bookable_slot(days_ahead=3)
    return appointment(service=service, slot=slot, n=1)


def check(client, token, language="en", **extra):
    return client.get(f"/{language}/pruefen/{token}/", **extra)


def test_a_valid_link_confirms_day_initials_and_year_and_nothing_else(client, booked):
    response = check(client, verification.check_token(booked))
    assert response.status_code == 200
    text = response.content.decode()
    with translation.override("en"):
        assert day(timezone.localdate(booked.slot.start)) in text
    assert "E. M." in text and "1990" in text
    for secret in (booked.surname, booked.given_names, booked.email, booked.code, "10:00"):
        assert secret not in text
    assert booked.service.name not in text


def test_the_printout_carries_the_check_link(client, booked):
    token = "secret-token"
    session = client.session
    session["manage_tokens"] = {booked.code: token}
    session.save()
    booked.token_hash = __import__("appointments.codes").codes.hash_token(token)
    booked.save(update_fields=["token_hash"])
    html = client.get(f"/de/termin/{booked.code}/drucken/").content.decode()
    assert verification.check_url(booked) in html
    assert re.search(r"/de/pruefen/[0-9a-z]+-[a-z2-7]{16}/", verification.check_url(booked))


def neutral(response):
    return response.status_code == 404 and NEUTRAL in response.content.decode()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("a" if token[-1] != "a" else "b"),
        lambda token: "2" + token,
        lambda token: token.replace("-", ""),
        lambda token: "1-" + "a" * 16,
        lambda token: "%00",
    ],
)
def test_forged_links_get_the_neutral_answer(client, booked, mangle):
    assert neutral(check(client, mangle(verification.check_token(booked))))


def test_a_cancelled_appointment_is_no_longer_confirmed(client, booked):
    token = verification.check_token(booked)
    booking.cancel(appointment_id=booked.pk, reason=CancellationReason.RESIDENT)
    assert neutral(check(client, token))


def test_a_moved_appointment_ends_the_old_link(client, booked):
    token = verification.check_token(booked)
    _s, _t, later = bookable_slot(service=booked.service, team=booked.slot.team, days_ahead=5)
    moved = booking.reschedule(appointment_id=booked.pk, slot_id=later.pk)
    assert neutral(check(client, token))
    assert check(client, verification.check_token(moved)).status_code == 200


def test_the_link_ends_when_the_appointment_is_over(client, booked):
    token = verification.check_token(booked)
    with time_machine.travel(booked.slot.end - dt.timedelta(minutes=1), tick=False):
        assert check(client, token).status_code == 200
    with time_machine.travel(booked.slot.end, tick=False):
        assert neutral(check(client, token))


def test_checks_are_rate_limited_per_address(client, booked, settings):
    settings.RATE_LIMIT_CHECKS_PER_IP_HOUR = 2
    token = verification.check_token(booked)
    assert [check(client, token).status_code for _ in range(3)] == [200, 200, 429]
    assert check(client, token, REMOTE_ADDR="198.51.100.9").status_code == 200


def test_the_initials_of_any_script():
    class Person:
        given_names, surname = "  ali  hasan", "şahin"

    assert verification.initials(Person) == "A. Ş."
    Person.given_names, Person.surname = "Мария", "Иванова"
    assert verification.initials(Person) == "М. И."


@pytest.mark.skipif(not shutil.which("zbarimg") or not shutil.which("rsvg-convert"), reason="zbar")
def test_the_check_qr_is_a_standard_qr_every_reader_decodes(booked, tmp_path):
    from appointments.documents import link_qr_svg

    link = verification.check_url(booked)
    (tmp_path / "qr.svg").write_text(link_qr_svg(link, title="check"))
    subprocess.run(
        [
            "rsvg-convert",
            "-w",
            "600",
            "-b",
            "white",
            "-o",
            tmp_path / "qr.png",
            tmp_path / "qr.svg",
        ],
        check=True,
    )
    found = subprocess.run(
        ["zbarimg", "-q", "--raw", tmp_path / "qr.png"], capture_output=True, text=True
    )
    assert found.stdout.strip() == link
