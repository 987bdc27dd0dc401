"""Every booking step on a cheap phone on a slow network, in German and Arabic.

    .venv/bin/python benchmarks/slow_phone_benchmark.py [--runs 1] [--timeout 240] [--files]

Starts gunicorn with production settings (DEBUG off, collected and compressed static files
served by whitenoise, a throw-away SQLite database in a temporary folder) on a free port of
127.0.0.1, then drives Debian's chromium through Playwright with the Chrome DevTools Protocol's
network emulation (400 kbit/s down and up, 150 ms latency) and a 4x CPU slowdown. For each
step (start, day, time, details, held) it prints the time to the load event, the time to the
first byte of the page (server time plus round trips, redirects included), the bytes
transferred (with --files: per file) and PASS or FAIL against the target of 3 s per step.
It stops the server it started, also when a step fails or the time limit is reached; nothing
else is touched.
"""

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TARGET_SECONDS = 3.0
KBIT = 1000 / 8  # bytes per second of one kbit/s
NETWORK = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 400 * KBIT,
    "uploadThroughput": 400 * KBIT,
}
CPU_SLOWDOWN = 4
PHONE = {"width": 360, "height": 740}
LANGUAGES = ("de", "ar")
SLUG = "aufenthaltstitel-verlaengern"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# An office open every day 08:00-18:00 (20-minute slots), one team for all surnames.
SETUP = f"""
import datetime as dt, django
django.setup()
from django.utils import timezone
from appointments.models import OpeningRule, ResponsibilityRule, Service, Team
from appointments.scheduling import generate_slots
service = Service.objects.create(slug="{SLUG}", name="Verlängerung des Aufenthaltstitels",
    name_translations={{"ar": "تمديد تصريح الإقامة"}}, duration_minutes=20,
    documents=[{{"de": "Reisepass", "ar": "جواز السفر"}}],
    booking_window_min_days=1, booking_window_max_days=28)
team = Team.objects.create(name="Sachgebiet A-Z", waiting_prefix="B", location="Raum 204")
ResponsibilityRule.objects.create(service=service, team=team, letter_from="A", letter_to="Z")
for weekday in range(7):
    rule = OpeningRule.objects.create(team=team, weekday=weekday, start_time=dt.time(8),
        end_time=dt.time(18), slot_minutes=20, capacity=4, online_capacity=4,
        valid_from=timezone.localdate())
    rule.services.set([service])
generate_slots(days=35)
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(folder, port):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    for key in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DEBUG", "SECRET_KEY"):
        env.pop(key, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "wiesbaden_abh.settings",
            "DEBUG": "off",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "off",
            "SECURE_HSTS_SECONDS": "0",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "EMAIL_URL": "dummymail://",
            "CELERY_TASK_ALWAYS_EAGER": "1",
            "BOOKING_CHALLENGE": "off",
            "RATE_LIMITS": "off",  # several walks from one address within the hour
        }
    )
    return env


def run(args, env, timeout):
    subprocess.run(args, cwd=ROOT, env=env, check=True, timeout=timeout, stdout=subprocess.DEVNULL)


def start_server(env, port, log):
    command = [
        str(Path(PYTHON).parent / "gunicorn"),
        "wiesbaden_abh.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--threads",
        "4",
        "--preload",
        "--access-logfile",
        "-",
    ]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("gunicorn did not start; see its log") from None
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 30 s")


def stop(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


class Meter:
    """Bytes over the wire (CDP's encodedDataLength) since the last reset, and per file."""

    def __init__(self, cdp):
        self.bytes = 0
        self.files = []
        self._urls = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event):
        self._urls[event["requestId"]] = event["request"]["url"].split("?")[0]

    def _finished(self, event):
        size = int(event.get("encodedDataLength", 0))
        self.bytes += size
        self.files.append((self._urls.get(event["requestId"], "?"), size))

    def reset(self):
        self.bytes = 0
        self.files = []


def measure(page, meter, action):
    meter.reset()
    with page.expect_navigation(wait_until="load", timeout=30_000):
        action()
    page.wait_for_timeout(50)  # let the last loadingFinished events arrive
    seconds = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return [(n.loadEventEnd - n.startTime) / 1000, (n.responseStart - n.startTime) / 1000]; }"
    )
    return *seconds, meter.bytes, [(url, size) for url, size in meter.files if size]


def submit(page, field):
    page.locator(field).locator("xpath=ancestor::form").locator("button[type=submit]").last.click()


def walk(browser, base, language, *, slow=True):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale=language)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if slow:
        cdp.send("Network.emulateNetworkConditions", NETWORK)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    meter = Meter(cdp)
    steps = []
    steps.append(
        ("start", *measure(page, meter, lambda: page.goto(f"{base}/{language}/buchen/{SLUG}/")))
    )
    page.fill("#id_surname", "Haddad")
    page.select_option("#id_nationality", "SY")
    steps.append(("day", *measure(page, meter, lambda: submit(page, "#id_surname"))))
    day = page.locator("ul.day-list a").first
    steps.append(("time", *measure(page, meter, day.click)))
    time_button = page.locator('button[name="slot"]').first
    steps.append(("details", *measure(page, meter, time_button.click)))
    page.fill("#id_given_names", secrets.choice(["Lina", "Rana", "Dana", "Mona", "Hala"]))
    page.fill("#id_date_of_birth", "1990-04-23")
    email = f"lina-{language}-{secrets.token_hex(4)}@example.test"
    page.fill("#id_email", email)
    page.fill("#id_email_repeat", email)
    page.check("#id_consent")
    steps.append(("held", *measure(page, meter, lambda: submit(page, "#id_given_names"))))
    if "/reserviert/" not in page.url:
        raise RuntimeError(f"the held page was not reached ({language}): {page.url}")
    context.close()
    return steps


def benchmark(base, runs):
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            # One walk per language at full speed first: a production server is warm (code
            # imported, templates compiled); the cold first request is not what phones see.
            for language in LANGUAGES:
                walk(browser, base, language, slow=False)
            for run_number in range(runs):
                for language in LANGUAGES:
                    for step, seconds, first_byte, size, files in walk(browser, base, language):
                        results.append(
                            (run_number + 1, language, step, seconds, first_byte, size, files)
                        )
        finally:
            browser.close()
    return results


def report(results, *, files=False):
    print(
        f"network 400/400 kbit/s, {NETWORK['latency']} ms latency, CPU slowed {CPU_SLOWDOWN}x;"
        f" target < {TARGET_SECONDS:.0f} s per step"
    )
    print(f"{'run':>3} {'lang':4} {'step':8} {'load (s)':>9} {'1st byte':>9} {'bytes':>8}  result")
    failed = 0
    for run_number, language, step, seconds, first_byte, size, loaded in results:
        ok = seconds < TARGET_SECONDS
        failed += not ok
        print(
            f"{run_number:>3} {language:4} {step:8} {seconds:>9.2f} {first_byte:>9.2f} {size:>8}  "
            f"{'PASS' if ok else 'FAIL'}"
        )
        for url, file_size in loaded if files else ():
            print(f"{'':>37}{file_size:>8}  {url.split('/', 3)[-1]}")
    print("PASS: every step under the target" if not failed else f"FAIL: {failed} step(s) over")
    return failed == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="walks per language (default 1)")
    parser.add_argument("--timeout", type=int, default=240, help="overall limit in seconds")
    parser.add_argument("--files", action="store_true", help="list each file of each step")
    parser.add_argument("--port", type=int, default=0, help="port of 127.0.0.1 (default: free)")
    options = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="slow-phone-")
    port = options.port or free_port()
    env = environment(folder, port)
    server = None
    # The whole run is bounded: a timer ends the server (and so every waiting step) at the limit.
    timer = threading.Timer(options.timeout, lambda: server and stop(server))
    timer.start()
    try:
        with open(Path(folder) / "gunicorn.log", "w") as log:
            run([PYTHON, "manage.py", "migrate", "--noinput"], env, 300)
            run([PYTHON, "-c", SETUP], env, 120)
            run([PYTHON, "manage.py", "collectstatic", "--noinput"], env, options.timeout)
            server = start_server(env, port, log)
            results = benchmark(f"http://127.0.0.1:{port}", options.runs)
        return 0 if report(results, files=options.files) else 1
    finally:
        timer.cancel()
        if server is not None:
            stop(server)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
