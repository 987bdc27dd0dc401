"""Reception and the staff API after retention: a pseudonymised appointment's code answers
"no longer stored" (German for staff), not "not found", and shows nothing of the resident."""

import pytest
from rest_framework.test import APIClient

from appointments import booking, retention
from appointments.models import CancellationReason
from caseworkers.roles import RECEPTION
from tests.factories import appointment as booked
from tests.factories import bookable_slot, staff

pytestmark = pytest.mark.django_db

NO_LONGER_STORED = "nicht mehr gespeichert"
NOT_FOUND = "Kein Termin gefunden"


def _pseudonymised():
    service, _team, slot = bookable_slot()
    made = booked(service=service, slot=slot)
    booking.cancel(appointment_id=made.pk, reason=CancellationReason.RESIDENT)
    retention.pseudonymise_appointment(appointment_id=made.pk)
    return made


def _search(client, **data):
    # The desk searches by GET today; the form's method may change, the answer must not.
    return client.get("/backoffice/reception/", data, follow=True).content.decode()


def test_reception_says_no_longer_stored_for_the_code_of_a_pseudonymised_appointment(
    client, login_as
):
    gone = _pseudonymised()
    login_as(RECEPTION)

    page = _search(client, code=gone.code)

    assert NO_LONGER_STORED in page and NOT_FOUND not in page
    assert "Muster0" not in page
    unknown = _search(client, code="ZZZZ2222")
    assert NOT_FOUND in unknown and NO_LONGER_STORED not in unknown


def test_staff_api_check_in_answers_no_longer_stored_for_a_pseudonymised_appointment():
    gone = _pseudonymised()
    client = APIClient()
    client.force_login(staff(RECEPTION))

    response = client.post(
        "/api/v1/staff/check-in/", {"code": gone.code}, format="json", HTTP_ACCEPT_LANGUAGE="de"
    )

    assert response.status_code == 404
    assert response.json()["code"] == "no_longer_stored"
    assert NO_LONGER_STORED in response.json()["detail"]
    unknown = client.post(
        "/api/v1/staff/check-in/", {"code": "ZZZZ2222"}, format="json", HTTP_ACCEPT_LANGUAGE="de"
    )
    assert unknown.status_code == 404 and unknown.json()["code"] != "no_longer_stored"


def test_staff_screens_say_no_longer_stored_instead_of_blank_names(
    supervisor_client, supervisor_user
):
    gone = _pseudonymised()
    day = gone.slot.start.date().isoformat()
    team = gone.slot.team_id

    visit = supervisor_client.get(f"/backoffice/visits/{gone.pk}/").content.decode()
    day_list = supervisor_client.get(f"/backoffice/queue/{team}/day/", {"date": day})
    day_csv = supervisor_client.get(
        f"/backoffice/queue/{team}/day/", {"date": day, "format": "csv"}
    )

    assert NO_LONGER_STORED in visit and "1900" not in visit and "01.01.00" not in visit
    assert " · , " not in visit  # the old blank "surname, given names"
    assert NO_LONGER_STORED in day_list.content.decode()
    assert "<td>, </td>" not in day_list.content.decode()
    csv_text = day_csv.content.decode("utf-8-sig")
    assert NO_LONGER_STORED in csv_text and "1900" not in csv_text

    api = APIClient()
    api.force_login(supervisor_user)
    detail = api.get(f"/api/v1/staff/appointments/{gone.pk}/", HTTP_ACCEPT_LANGUAGE="de").json()
    assert detail["resident_name"] == NO_LONGER_STORED
    assert detail["personal_data_stored"] is False
    assert (detail["surname"], detail["given_names"], detail["date_of_birth"]) == (None,) * 3


def test_staff_screens_show_the_name_while_it_is_stored(supervisor_client, supervisor_user):
    service, _team, slot = bookable_slot()
    made = booked(service=service, slot=slot)

    visit = supervisor_client.get(f"/backoffice/visits/{made.pk}/").content.decode()
    api = APIClient()
    api.force_login(supervisor_user)
    detail = api.get(f"/api/v1/staff/appointments/{made.pk}/").json()

    assert "Muster0, Erika" in visit and NO_LONGER_STORED not in visit
    assert detail["resident_name"] == "Muster0, Erika" and detail["personal_data_stored"]
