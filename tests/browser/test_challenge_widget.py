"""The vendored ALTCHA widget in chromium: solves, submits, stays on our host, is accessible."""

import base64
import json
import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
LABELS = {"de": "Ich bin kein Roboter", "en": "I'm not a robot"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.browser.challenge_urls"),
]


@pytest.fixture
def watched_page(page):
    """The page, recording every request, every worker and every console error."""
    page.requests, page.worker_urls, page.errors = [], [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("worker", lambda worker: page.worker_urls.append(worker.url))
    page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def wait_until_verified(page):
    # A locator assertion, not wait_for_function: the page's CSP forbids eval.
    expect(page.locator("altcha-widget input[name=altcha]")).to_have_value(
        re.compile(".+"), timeout=30_000
    )


def payload_of(page):
    return page.locator("altcha-widget input[name=altcha]").input_value()


def solve_by_keyboard(page, language):
    """Tab to the widget's checkbox and tick it with the space bar; return the payload."""
    checkbox = page.get_by_role("checkbox", name=LABELS[language])
    page.keyboard.press("Tab")
    assert checkbox.evaluate("element => element === document.activeElement")
    page.keyboard.press("Space")
    wait_until_verified(page)
    return payload_of(page)


def test_widget_solves_by_keyboard_and_the_server_accepts_the_payload(live_server, watched_page):
    page = watched_page
    response = page.goto(f"{live_server.url}/de/challenge-test/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "worker-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy

    started = time.monotonic()
    payload = solve_by_keyboard(page, "de")
    elapsed = time.monotonic() - started
    solution = json.loads(base64.b64decode(payload))["solution"]
    print(
        f"\nwidget solved counter {solution['counter']} in {solution['time']} ms of work, "
        f"{elapsed:.2f} s until verified (including the widget's 0.5 s minimum)"
    )

    with page.expect_navigation():
        page.get_by_role("button", name="Submit").click()
    assert page.locator("body").inner_text().strip() == "OK"

    # Everything (page, scripts, css, worker, challenge) came from our own server, the worker
    # from our static path rather than a blob: URL, under the site's CSP (no 'unsafe-inline').
    assert page.requests
    assert all(url.startswith(live_server.url) for url in page.requests), page.requests
    assert page.worker_urls
    assert all(
        url.startswith(f"{live_server.url}/static/vendor/altcha/workers/")
        for url in page.worker_urls
    ), page.worker_urls
    assert page.errors == []


def test_payload_cannot_be_submitted_twice(live_server, watched_page):
    page = watched_page
    page.goto(f"{live_server.url}/en/challenge-test/")
    payload = solve_by_keyboard(page, "en")
    form = page.locator("form")
    with page.expect_navigation():
        form.evaluate("form => form.submit()")
    assert page.locator("body").inner_text().strip() == "OK"

    page.goto(f"{live_server.url}/en/challenge-test/")
    with page.expect_navigation():
        page.locator("altcha-widget input[name=altcha]").evaluate(
            "(input, value) => { input.value = value; input.form.submit(); }", payload
        )
    assert page.locator("body").inner_text().strip() == "REFUSED"


def test_unsolved_form_is_refused(live_server, watched_page):
    page = watched_page
    page.goto(f"{live_server.url}/en/challenge-test/")
    with page.expect_navigation():
        page.locator("form").evaluate("form => form.submit()")
    assert page.locator("body").inner_text().strip() == "REFUSED"


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("de", "Ich bin kein Roboter"),
        ("en", "I'm not a robot"),
        ("tr", "Ben robot değilim"),
        ("ar", "أنا لست روبوتاً"),
        ("ru", "Я не робот"),
        ("uk", "Я не робот"),
    ],
)
def test_widget_label_is_in_the_page_language(live_server, watched_page, language, label):
    page = watched_page
    page.goto(f"{live_server.url}/{language}/challenge-test/")
    page.get_by_role("checkbox", name=label).wait_for()
    assert page.errors == []


@pytest.mark.parametrize("language", ["de", "ar"])
def test_widget_has_no_wcag_violations_before_and_after_solving(
    live_server, watched_page, language
):
    page = watched_page
    page.goto(f"{live_server.url}/{language}/challenge-test/")
    page.locator("altcha-widget input[type=checkbox]").wait_for()
    axe = Axe()
    results = axe.run(page, context="altcha-widget", options=WCAG)
    assert results.violations_count == 0, results.generate_report()

    # Clicking the label works like clicking the box: they are associated.
    page.locator("altcha-widget label").click()
    wait_until_verified(page)
    results = axe.run(page, context="altcha-widget", options=WCAG)
    assert results.violations_count == 0, results.generate_report()
