"""The staff header names the user's role(s), not "Sachbearbeitung" for everyone."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("roles", "label"),
    [
        (("reception",), "Empfang"),
        (("caseworker",), "Sachbearbeitung"),
        (("supervisor",), "Teamleitung"),
        (("administrator",), "Administration"),
        (("reception", "caseworker"), "Empfang · Sachbearbeitung"),
    ],
)
def test_header_shows_the_role(login_as, client, roles, label):
    login_as(*roles, username="someone")
    page = client.get("/backoffice/").content.decode()
    assert f'<span class="staff-role">{label}</span>' in page


def test_reception_is_not_called_casework_in_the_header(login_as, client):
    login_as("reception", username="someone")
    page = client.get("/backoffice/").content.decode()
    navigation = page[page.index('<nav class="navbar') :]
    navigation = navigation[: navigation.index("</nav>")]
    assert "Empfang" in navigation and "Sachbearbeitung" not in navigation
    assert "<title>Interner Bereich" in page  # the dashboard's title names no role either
