"""Requests per second of the three hot paths on gunicorn (2 workers) and PostgreSQL, with wrk:
a resident's free times (API), a booking (API POST, every request a new person), and the
caseworker's queue board (htmx fragment, logged in). Prints a table for docs/operations.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/abh_capacity \\
    REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python benchmarks/capacity_benchmark.py --seconds 10

It migrates the database and loads the demo data (seed_demo); bookings fill its slots, so
never point it at data you want to keep. Needs `wrk` (Debian: apt-get install wrk).
"""

import argparse
import datetime as dt
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SERVICE = "aufenthaltserlaubnis-verlaengerung"
BOOKING_LUA = """
local n = 0
local slots = {%(slots)s}
local letters = "abcdefghijklmnopqrstuvwxyz"
local thread_tag = ""
setup = function(thread) end
init = function(args) math.randomseed(os.time() + math.random(1, 100000)) end
request = function()
  n = n + 1
  local name = "Bench"
  local k = n * 7919 + math.random(1, 1000000000)
  while k > 0 do
    local i = k %% 26 + 1
    name = name .. letters:sub(i, i)
    k = math.floor(k / 26)
  end
  local slot = slots[(n %% #slots) + 1]
  local body = string.format('{"service":"%(service)s","slot":%%d,"surname":"%%s",' ..
    '"given_names":"Erika","date_of_birth":"1990-01-01","email":"%%s@example.test",' ..
    '"nationality":"TR","language":"de"}', slot, name, name)
  return wrk.format("POST", "/api/v1/bookings/", {["Content-Type"]="application/json"}, body)
end
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wrk(url, seconds, *extra):
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", *extra, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    return {"rps": rps, "total": total, "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "p50": p50, "p99": p99}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("needs wrk (apt-get install wrk)")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.wiesbaden_abh.logscan_settings",
        "DEBUG": "off", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}", "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "off", "RATE_LIMITS": "off", "BOOKING_CHALLENGE": "off",
        "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "seed_demo", "--force", "-v0"], cwd=ROOT, env=env,
                   check=True, capture_output=True)  # fmt: skip
    with tempfile.TemporaryDirectory() as multiproc:
        env["PROMETHEUS_MULTIPROC_DIR"] = multiproc
        server = subprocess.Popen(
            [python, "-m", "gunicorn", "wiesbaden_abh.wsgi:application", "-c", "gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)],
            cwd=ROOT, env={**env, "GUNICORN_CMD_ARGS": "--access-logfile=/dev/null"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            results = run(base, port, args.seconds)
            metrics = urllib.request.urlopen(f"{base}/metrics").read().decode()
        finally:
            server.terminate()
            server.wait(timeout=30)
    counted = sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("abh_http_requests_total{") and "slots" in line
    )
    results["metrics_counted_availability_requests_over_all_workers"] = counted
    print(json.dumps(results, indent=2))


def staff_cookie(base):
    """The session cookie of the demo caseworker, logged in through the login form."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/backoffice/login/")
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    form = {"username": "sachbearbeitung", "password": "wiesbaden-demo"}
    data = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": csrf}).encode()
    # the cookies are Secure (DEBUG off): over loopback HTTP they are sent by hand
    headers = {"Cookie": f"csrftoken={csrf}"}
    request = urllib.request.Request(f"{base}/backoffice/login/", data=data, headers=headers)
    urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)).open(request)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def run(base, port, seconds):
    today = dt.date.today()
    query = f"from={today}&to={today + dt.timedelta(days=28)}"
    availability = f"{base}/api/v1/services/{SERVICE}/slots/?{query}"
    slot_ids, page = [], availability
    while page and len(slot_ids) < 1000:  # the API pages by 50
        answer = json.loads(urllib.request.urlopen(page).read())
        slot_ids += [slot["id"] for slot in answer["results"] if slot["free"] > 0]
        page = answer.get("next")
    cookie = staff_cookie(base)
    results = {"seconds": seconds, "slots_offered": len(slot_ids)}
    results["healthz (reference)"] = wrk(f"{base}/healthz", seconds)
    results["availability (4 weeks)"] = wrk(availability, seconds)
    results["queue board"] = wrk(f"{base}/backoffice/queue/1/board/", seconds, "-H",
                                 f"Cookie: {cookie}")  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(BOOKING_LUA % {"slots": ",".join(map(str, slot_ids)), "service": SERVICE})
    booking = wrk(f"{base}/api/v1/bookings/", seconds, "-s", script.name)
    booking["created_per_second"] = round((booking["total"] - booking["non2xx"]) / seconds, 1)
    results["booking (POST)"] = booking
    os.unlink(script.name)
    return results


if __name__ == "__main__":
    main()
