"""Hostile input on the backoffice never gives a 500 and changes nothing: the cases the
production audit found (issue 14), each answered with a translated message."""

import pytest
from axes.models import AccessAttempt

from appointments.models import Event, InvitationWindow
from tests.appointments.test_queue import booked_today
from tests.factories import PASSWORD, imported_batch

pytestmark = pytest.mark.django_db

HUGE_DATE = "9999-12-31"


@pytest.mark.parametrize("service", ["abc", "", "99999999999999999999999", "1\x00"])
def test_invitation_window_with_a_bad_service_is_refused_without_a_500(
    supervisor_client, office, service
):
    response = supervisor_client.post(
        "/backoffice/invitations/windows/",
        {"service": service, "s1-weeks_before_from": "8", "s1-weeks_before_until": "4"},
    )
    assert response.status_code in (400, 404)
    assert not InvitationWindow.objects.exists()


def test_invitation_window_with_no_service_says_what_is_missing(supervisor_client, office):
    response = supervisor_client.post(
        "/backoffice/invitations/windows/", {}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Please choose a concern." in response.content.decode()


@pytest.mark.parametrize("day", [HUGE_DATE, "0001-01-01", "0000-00-00", "2026-02-30", "x" * 300])
def test_day_list_with_an_implausible_date_shows_a_message(client, login_as, day):
    appointment = booked_today(1)
    login_as("supervisor")
    for extra in ({}, {"format": "csv"}):
        response = client.get(
            f"/backoffice/queue/{appointment.slot.team_id}/day/",
            {"date": day, **extra},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 400, (day, extra)
        assert "Please enter" in response.content.decode()


@pytest.mark.parametrize("day", [HUGE_DATE, "0001-01-01", "0000-00-00", "nonsense"])
def test_follow_up_with_an_implausible_start_day_stays_usable(client, login_as, day):
    appointment = booked_today(1)
    login_as("supervisor")
    response = client.get(
        f"/backoffice/visits/{appointment.pk}/follow-up/",
        {"from": day},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Please enter" in response.content.decode()
    events = Event.objects.filter(action__startswith="appointment.").count()
    response = client.post(
        f"/backoffice/visits/{appointment.pk}/follow-up/?from={day}", {"slot": "abc"}
    )
    assert response.status_code in (200, 302)
    assert Event.objects.filter(action__startswith="appointment.").count() == events


LONG_NAME = "u" * 300


def _log_in_with_a_long_name(client, path):
    """Every answer is the form again; returns the page shown for the long name (German)."""
    for username in ("a\x00b", LONG_NAME + "\x00", LONG_NAME):
        for _ in range(2):
            response = client.post(path, {"username": username, "password": PASSWORD})
            assert response.status_code == 200, response.status_code
            assert "_auth_user_id" not in client.session
    return response.content.decode()


@pytest.mark.parametrize("path", ["/backoffice/login/", "/admin/login/"])
def test_a_username_longer_than_the_lockout_table_allows_is_refused_politely(client, path):
    response = _log_in_with_a_long_name(client, path)
    assert "höchstens 150 Zeichen" in response
    # nothing recorded that would not fit axes' varchar(255) on PostgreSQL
    assert all(
        len(name or "") <= 255 for name in AccessAttempt.objects.values_list("username", flat=True)
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/backoffice/login/", "/admin/login/"])
def test_a_long_username_is_refused_politely_on_postgresql(client, path):
    response = _log_in_with_a_long_name(client, path)
    assert "höchstens 150 Zeichen" in response


# Found by tests/caseworkers/test_fuzz_backoffice.py: ids past SQLite's integer range.


@pytest.mark.parametrize("path", ["/backoffice/display/", "/backoffice/display/feed/"])
def test_the_display_ignores_team_ids_past_the_integer_range(supervisor_client, path):
    response = supervisor_client.get(path, {"teams": "99999999999999999999,1"})
    assert response.status_code == 200


def test_letters_of_a_part_past_the_integer_range_say_there_are_none(supervisor_client, office):
    batch = imported_batch(1)
    response = supervisor_client.get(
        f"/backoffice/invitations/{batch.pk}/letters.pdf", {"part": "99999999999999999999"}
    )
    assert response.status_code == 302
