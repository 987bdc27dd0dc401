"""One name policy for every name field: letters of any script, spaces, hyphens, apostrophes;
controls (bidi), digits, emoji and markup refused with a clear message. A surname in another
script needs its Latin spelling, which decides the responsible team."""

import pytest
from django.utils import translation

from appointments.errors import InvalidName
from appointments.forms import PersonForm, SurnameForm
from appointments.invitations import csv_import
from appointments.models import Appointment, ResponsibilityRule
from appointments.name_policy import check_surname, clean_name
from caseworkers.roles import RECEPTION
from tests.appointments.api.helpers import booking_payload
from tests.factories import HEADER, NOW, ServiceFactory, TeamFactory, bookable_slot, csv_bytes, row

ACCEPTED = [
    "Müller",
    "O'Brien",
    "D’Souza",
    "N'Diaye",
    "Nguyễn Thị",
    "al-Hassan",
    "Иванов",
    "Шевченко",
    "محمد",
    "Yılmaz",
    "Ørsted",
]
REFUSED = {
    "<script>": "Please remove: < >",
    "Ann😀": "😀",
    "Ma\u202eria": "invisible",
    "Ma\u2066ria": "invisible",
    "Ma\u200fria": "invisible",
    "Smith2": "digits",
    "Tom & Jerry": "&",
    'Say "hi"': '"',
    "---": "letters",
}


@pytest.mark.parametrize("name", ACCEPTED)
def test_letters_of_any_script_apostrophes_and_hyphens_are_accepted(name):
    assert clean_name(f"  {name} ") == name


@pytest.mark.parametrize(("name", "hint"), REFUSED.items())
def test_controls_digits_emoji_and_markup_are_refused_with_a_clear_message(name, hint):
    with translation.override("en"), pytest.raises(InvalidName) as refused:
        clean_name(name)
    assert hint in str(refused.value.message)


def test_a_surname_in_another_script_needs_its_latin_spelling():
    with pytest.raises(InvalidName):
        check_surname("Иванов", "")
    with pytest.raises(InvalidName):
        check_surname("Иванов", "Иванов")  # the Latin spelling must be Latin
    assert check_surname("Иванов", " Ivanov ") == ("Иванов", "Ivanov")
    assert check_surname("Müller", "") == ("Müller", "")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"surname": "<script>", "nationality": "TR"}, "surname"),
        ({"surname": "🙂", "nationality": "TR"}, "surname"),
        ({"surname": "Иванов", "nationality": "UA"}, "surname_latin"),
        ({"surname": "Иванов", "surname_latin": "Ivan0v", "nationality": "UA"}, "surname_latin"),
    ],
)
def test_the_surname_step_refuses_what_the_policy_refuses(data, field):
    form = SurnameForm(data)
    assert not form.is_valid() and list(form.errors) == [field]


def test_the_surname_step_accepts_cyrillic_with_its_latin_spelling():
    form = SurnameForm({"surname": "Иванов", "surname_latin": "Ivanov", "nationality": "UA"})
    assert form.is_valid(), form.errors


def test_given_names_with_a_direction_override_are_refused():
    form = PersonForm({"given_names": "Ay\u202eşe"})
    form.is_valid()
    assert "given_names" in form.errors


@pytest.fixture
def split_by_letter():
    service = ServiceFactory()
    first, second = TeamFactory(name="Team A–M"), TeamFactory(name="Team N–Z")
    ResponsibilityRule.objects.create(service=service, team=first, letter_from="A", letter_to="M")
    ResponsibilityRule.objects.create(service=service, team=second, letter_from="N", letter_to="Z")
    return service, first, second


@pytest.mark.django_db
def test_the_wizard_routes_an_arabic_surname_by_its_latin_spelling(client, split_by_letter):
    service, _first, second = split_by_letter
    response = client.post(
        f"/de/buchen/{service.slug}/",
        {"surname": "نصار", "surname_latin": "Nassar", "nationality": "SY"},
    )
    assert response.status_code == 302
    draft = client.session["booking_draft"]
    assert draft["team"] == second.pk and draft["surname_latin"] == "Nassar"
    refused = client.post(f"/de/buchen/{service.slug}/", {"surname": "نصار", "nationality": "SY"})
    assert refused.status_code == 200 and list(refused.context["form"].errors) == ["surname_latin"]


@pytest.mark.django_db
def test_the_api_stores_both_spellings_and_staff_see_both(api, settings, client, login_as):
    settings.BOOKING_CHALLENGE = False
    service, _team, slot = bookable_slot()
    payload = booking_payload(service, slot, surname="Иванов", surname_latin="Ivanov")
    assert api.post("/api/v1/bookings/", payload, format="json").status_code == 201
    appointment = Appointment.objects.get()
    assert (appointment.surname, appointment.surname_latin) == ("Иванов", "Ivanov")
    assert appointment.resident_name == "Иванов (Ivanov), Erika"
    bad = booking_payload(service, slot, 1, given_names="Er\u202eika")
    response = api.post("/api/v1/bookings/", bad, format="json")
    assert response.status_code == 400 and set(response.json()["fields"]) == {"given_names"}


@pytest.mark.django_db
def test_the_staff_walk_in_form_applies_the_policy(client, login_as, split_by_letter):
    service, _first, second = split_by_letter
    login_as(RECEPTION)
    base = {
        "service": service.pk,
        "given_names": "Olena",
        "date_of_birth": "1985-02-11",
        "nationality": "UA",
        "language": "uk",
    }
    refused = client.post("/backoffice/reception/walk-in/", {**base, "surname": "Шевченко"})
    assert refused.status_code == 200 and not Appointment.objects.exists()
    client.post(
        "/backoffice/reception/walk-in/",
        {**base, "surname": "Шевченко", "surname_latin": "Shevchenko"},
    )
    walk_in = Appointment.objects.get()
    assert walk_in.queue_team == second and walk_in.surname_latin == "Shevchenko"
    found = client.post("/backoffice/reception/", {"surname": "shevchenko"}).content.decode()
    assert "Шевченко (Shevchenko), Olena" in found  # either spelling finds; staff see both


@pytest.mark.django_db
def test_the_csv_import_applies_the_policy_and_reads_the_latin_spelling(office):
    columns = [*HEADER, "Nachname lateinisch"]
    rows = [
        row(1, Nachname="Иванов", **{"Nachname lateinisch": "Ivanov"}),
        row(2, Nachname="Иванов", **{"Nachname lateinisch": ""}),
        row(3, Nachname="<b>Bold</b>", **{"Nachname lateinisch": ""}),
        row(4, Vorname="Ay\u202eşe", **{"Nachname lateinisch": ""}),
    ]
    report = csv_import.check(csv_bytes(rows, header=columns), now=NOW)
    valid = {r.number: r for r in report.rows if not r.errors}
    invalid = {r.number: r.errors for r in report.invalid}
    assert valid[2].values["surname_latin"] == "Ivanov"
    assert set(invalid) == {3, 4, 5}
