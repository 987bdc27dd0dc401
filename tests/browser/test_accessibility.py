"""WCAG 2.1 AA checks with axe-core in Debian's chromium."""

import pytest
from axe_playwright_python.sync_playwright import Axe

WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["de", "en", "ar"])
def test_home_page_has_no_wcag_violations(live_server, page, language):
    page.goto(f"{live_server.url}/{language}/")
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_language_switch_works_by_keyboard(live_server, page):
    page.goto(f"{live_server.url}/de/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Zum Inhalt springen"
    page.select_option("#language-select", "en")
    page.get_by_role("button", name="Ändern").press("Enter")
    page.wait_for_url(f"{live_server.url}/en/")
    assert page.locator("html").get_attribute("lang") == "en"
