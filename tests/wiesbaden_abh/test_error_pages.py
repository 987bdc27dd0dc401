"""403/404/500 pages: the staff layout under /backoffice/, the resident layout elsewhere,
translated, with a way back; the 500 page renders without database or request context."""

import pytest
from django.test import Client, RequestFactory

from wiesbaden_abh.errors import server_error

pytestmark = pytest.mark.django_db


def test_resident_404_is_in_the_resident_layout_with_a_way_back(client):
    response = client.get("/tr/bu-sayfa-yok/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'lang="tr"' in page
    assert 'class="error-page"' in page and "404" in page
    assert '<a class="btn btn-primary" href="/tr/">' in page  # back, in the same language
    assert "Backoffice" not in page and "navbar" not in page


def test_staff_404_is_in_the_staff_layout_in_german(login_as, client):
    login_as("caseworker", username="cw404")
    response = client.get("/backoffice/gibt-es-nicht/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Seite nicht gefunden" in page
    assert "Zur Übersicht" in page and 'href="/backoffice/"' in page
    assert "navbar" in page  # the staff navigation, with log-out


def test_staff_403_names_the_reason_and_leads_back(login_as, client):
    login_as("reception", username="rc403")
    response = client.get("/backoffice/manage/audit/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Kein Zugriff" in page and 'href="/backoffice/"' in page
    assert "navbar" in page


@pytest.mark.parametrize(
    ("path", "language", "text", "back"),
    [
        ("/backoffice/explode/", "de", "Interner Fehler", 'href="/backoffice/"'),
        ("/de/explode/", "de", "Etwas ist schiefgelaufen", 'href="/de/"'),
        ("/tr/explode/", "tr", 'lang="tr"', 'href="/tr/"'),
    ],
)
def test_500_page_from_a_view_that_raises_with_debug_off(settings, path, language, text, back):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.wiesbaden_abh.error_urls"
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 500
    page = response.content.decode()
    assert text in page and back in page
    assert "css/site.css" in page
    assert "boom" not in page and "Traceback" not in page


@pytest.mark.django_db(False)
def test_500_page_needs_neither_database_nor_session():
    """No db fixture: any query would fail the test; the request has no user or session."""
    request = RequestFactory().get("/backoffice/queue/")
    response = server_error(request)
    assert response.status_code == 500
    assert b'href="/backoffice/"' in response.content
