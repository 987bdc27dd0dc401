"""The logs of a whole day's flow hold no token, name, date of birth or e-mail address.

A real gunicorn, started as docker-compose's `web` starts it (so with the project's
gunicorn.conf.py), in production mode (DEBUG off) on a SQLite file, under libfaketime on a
Tuesday morning: a resident books, opens the verification link, confirms, opens the manage link
and a reminder's reply link; reception searches by surname and date of birth and checks in; the
call display opens with its device token; a staff member uses a personal API token. Then
everything gunicorn and Django wrote (access, error and application logs) is searched.
"""

import email
import email.policy
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
WORLD = Path(__file__).with_name("logscan_world.py")
FAKETIME = shutil.which("faketime")
# Tuesday 10 November 2026, 08:30 in Berlin: the slot at 10:00 is bookable and open for check-in
NOW = "2026-11-10 08:30:00 +01:00"

pytestmark = pytest.mark.skipif(FAKETIME is None, reason="needs faketime (make system-packages)")

RESIDENT = {
    "surname": "Quastenberg",
    "given_names": "Ottilie Marlene",
    "date_of_birth": "1987-03-14",
    "email": "ottilie.quastenberg@example.test",
}
BIRTH_DATE_FORMS = (
    "1987-03-14", "14.03.1987", "14.3.1987", "14/03/1987", "03/14/1987", "3/14/1987",
    "19870314", "14031987", "1987-3-14", "14. März 1987", "March 14, 1987", "14 Mar 1987",
)  # fmt: skip


class Browser:
    """A cookie-keeping HTTP client (cookies marked Secure are sent over loopback HTTP too)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.headers = {}
        self.path = ""

    def request(self, method, path, data=None, follow=True):
        for _ in range(10):
            self.path = path
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            headers = {"Accept-Language": "de", **self.headers}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            body = None
            if data is not None:
                body = urlencode(data)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or ():
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    self.cookies[name] = morsel.value
            connection.close()
            location = response.getheader("Location")
            if not (follow and response.status in (301, 302, 303) and location):
                return response.status, content
            parts = urlsplit(location)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            method, data = "GET", None
        raise AssertionError("too many redirects")

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        return self.request("POST", path, {**data, "csrfmiddlewaretoken": self.csrf()}, **kwargs)

    def csrf(self):
        return self.cookies["csrftoken"]


def local_path(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Server:
    """A gunicorn started like compose's web: port, environment, database file, world, logs."""

    def __init__(self, **parts):
        self.__dict__.update(parts)

    def __repr__(self):  # not the environment, in a failure's report
        return f"Server(port={self.port})"


@pytest.fixture
def server(tmp_path):
    port = free_port()
    database = tmp_path / "db.sqlite3"
    environment = {
        # CI's shifted-clock pass runs pytest under libfaketime: the server pins its own clock
        **{k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and "FAKETIME" not in k},
        "DJANGO_SETTINGS_MODULE": "tests.wiesbaden_abh.logscan_settings",
        "DEBUG": "off",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "off",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "",
        "EMAIL_URL": f"filemail:///{tmp_path / 'mail'}",  # four slashes: an absolute path
        "CELERY_QUEUE_DIR": str(tmp_path / "celery"),
        "CELERY_TASK_ALWAYS_EAGER": "on",  # the mails are sent (and logged) in the request
        "BOOKING_CHALLENGE": "off",
        "LOG_LEVEL": "DEBUG",
        "PYTHONUNBUFFERED": "1",
    }
    faked = [FAKETIME, NOW]
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT, env=environment, check=True, capture_output=True,
    )  # fmt: skip
    world = json.loads(
        subprocess.run(
            [*faked, sys.executable, str(WORLD), "setup"],
            cwd=ROOT, env=environment, check=True, capture_output=True, text=True,
        ).stdout.splitlines()[-1]
    )  # fmt: skip
    logs = (tmp_path / "gunicorn.out", tmp_path / "gunicorn.err")
    with logs[0].open("w") as out, logs[1].open("w") as err:
        # the command of docker-compose.yml's web service, on a free loopback port
        gunicorn = subprocess.Popen(
            [*faked, sys.executable, "-m", "gunicorn", "wiesbaden_abh.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", "-"],
            cwd=ROOT, env=environment, stdout=out, stderr=err,
            start_new_session=True,  # faketime forks gunicorn: stop the whole group below
        )  # fmt: skip
        try:
            for _ in range(150):
                try:
                    http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
                    break
                except OSError:
                    assert gunicorn.poll() is None, logs[1].read_text()
                    time.sleep(0.2)
            yield Server(
                port=port, environment=environment, mail=tmp_path / "mail", world=world, logs=logs
            )
        finally:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            gunicorn.wait(timeout=30)
            for _ in range(300):  # until gunicorn itself has gone, not only faketime
                try:
                    os.killpg(gunicorn.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            else:
                os.killpg(gunicorn.pid, signal.SIGKILL)


def mails(folder):
    """The plain-text bodies of the e-mails Django's file backend wrote, oldest first."""
    bodies = []
    for path in sorted(folder.glob("*"), key=lambda p: p.stat().st_mtime):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                message = email.message_from_bytes(chunk, policy=email.policy.default)
                bodies.append(message.get_body(preferencelist=("plain",)).get_content())
    return bodies


def link_in(text, marker):
    return re.search(rf"https?://\S+{marker}\S*", text).group(0)


def test_a_whole_flow_leaves_no_secret_and_no_personal_data_in_the_logs(server):
    port, environment, world = server.port, server.environment, server.world
    access_log, error_log = server.logs
    secrets_seen = []

    # the resident books online
    resident = Browser(port)
    status, _page = resident.get(f"/de/buchen/{world['service']}/")
    assert status == 200
    resident.post(
        f"/de/buchen/{world['service']}/", {"surname": RESIDENT["surname"], "nationality": "TR"}
    )
    resident.post(f"/de/buchen/{world['service']}/zeit/", {"slot": world["slot"]})
    status, page = resident.post(
        f"/de/buchen/{world['service']}/daten/",
        {
            "given_names": RESIDENT["given_names"],
            "date_of_birth": RESIDENT["date_of_birth"],
            "email": RESIDENT["email"],
            "email_repeat": RESIDENT["email"],
            "phone": "",
            "language": "de",
            "consent": "on",
        },
    )
    code = re.fullmatch(r"/de/termin/([A-Z0-9]+)/reserviert/", resident.path)
    assert status == 200 and code, (resident.path, page[:3000])
    code = code.group(1)

    # the verification link from the e-mail, then the confirming button
    verify = link_in(mails(server.mail)[-1], "/bestaetigen/")
    secrets_seen.append(verify.split("t=", 1)[1])
    status, page = resident.get(local_path(verify))
    assert status == 200 and "csrfmiddlewaretoken" in page
    status, page = resident.post(f"/de/termin/{code}/bestaetigen/", {})
    assert status == 200 and code in page

    # the manage link from the confirmation, opened on another device
    manage = link_in(mails(server.mail)[-1], f"/termin/{code}/")
    other_device = Browser(port)
    status, page = other_device.get(local_path(manage))
    assert status == 200 and code in page

    # a reminder's reply link, answered
    reply = json.loads(
        subprocess.run(
            [FAKETIME, NOW, sys.executable, str(WORLD), "reply", code],
            cwd=ROOT, env=environment, check=True, capture_output=True, text=True,
        ).stdout.splitlines()[-1]
    )["url"]  # fmt: skip
    secrets_seen += [reply.split("s=", 1)[1], unquote(reply.split("s=", 1)[1])]
    status, page = other_device.get(local_path(reply))
    assert status == 200
    signed = re.search(r'name="s" value="([^"]+)"', page).group(1)
    status, _page = other_device.post(local_path(reply).split("?")[0], {"s": signed})
    assert status == 200

    # reception: log in, search by surname and date of birth, check in
    reception = Browser(port)
    reception.get("/backoffice/login/")
    status, _page = reception.post(
        "/backoffice/login/", {"username": world["reception"], "password": world["password"]}
    )
    assert status == 200
    status, page = reception.post(
        "/backoffice/reception/",
        {"code": "", "surname": RESIDENT["surname"], "date_of_birth": RESIDENT["date_of_birth"]},
    )
    check_in = re.search(r'action="(/backoffice/reception/\d+/check-in/)"', page)
    assert status == 200 and check_in, page[:3000]
    status, page = reception.post(check_in.group(1), {})
    assert status == 200 and "B-001" in page

    # the call display with its device token in the address
    secrets_seen.append(world["device_token"])
    status, _page = Browser(port).get(f"/backoffice/display/?device={world['device_token']}")
    assert status == 200

    # a caseworker's personal API token
    caseworker = Browser(port)
    caseworker.get("/backoffice/login/")
    caseworker.post(
        "/backoffice/login/", {"username": world["caseworker"], "password": world["password"]}
    )
    caseworker.headers = {"X-CSRFToken": caseworker.csrf()}
    status, answer = caseworker.request("POST", "/api/v1/staff/token/", data={})
    assert status == 201, answer
    token = json.loads(answer)["token"]
    secrets_seen.append(token)
    by_token = Browser(port)
    by_token.headers = {"Authorization": f"Token {token}"}
    assert by_token.get("/api/v1/staff/me/")[0] == 200

    time.sleep(0.5)  # let gunicorn flush the last lines
    access, errors = access_log.read_text(), error_log.read_text()
    logged = access + errors
    # the logs were captured: requests of each part of the flow are in the access log
    for seen in ("/bestaetigen/", "/antwort/", "POST /backoffice/reception/", "/display/"):
        assert seen in access, access[-3000:]
    forbidden = [
        *secrets_seen,
        RESIDENT["surname"],
        *RESIDENT["given_names"].split(),
        *BIRTH_DATE_FORMS,
        RESIDENT["email"],
        RESIDENT["email"].split("@")[0],
        RESIDENT["email"].replace("@", "%40"),
    ]
    found = [item for item in forbidden if item.lower() in logged.lower()]
    assert found == [], "\n".join(
        line for line in logged.splitlines() if any(f.lower() in line.lower() for f in found)
    )[:4000]
    # every line is one JSON object (wiesbaden_abh/logs.py); requests carry their id
    records = [json.loads(line) for line in logged.splitlines() if line.strip()]
    for record in records:
        assert {"timestamp", "level", "event", "logger", "request_id"} <= record.keys(), record
    requests = [r for r in records if r["logger"] == "gunicorn.access"]
    assert requests and all(re.fullmatch(r"[0-9a-f]{32}", r["request_id"]) for r in requests)
    assert len({r["request_id"] for r in requests}) == len(requests)
    sent = [r for r in records if r["event"].startswith("outbox message") and r.get("task")]
    assert sent and {r["request_id"] for r in sent} <= {r["request_id"] for r in requests}
