"""`make bench`: the application against reference views on the same stack, in one run.

    .venv/bin/python benchmarks/run.py [--quick]

Creates its databases (BENCH_APP_DB, BENCH_REF_DB; default wt_bench_app, wt_bench_ref, on
BENCH_PG_URL), seeds them, serves both under gunicorn (2 sync workers, DEBUG off), measures
each path interleaved with its reference (median of 3 rounds, 1 with --quick), checks the
invariants, runs the invitation and statistics benchmarks, prints one table and writes it to
benchmarks/results/latest.md. Everything it starts is stopped and dropped, also on failure.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import load  # noqa: E402
from benchmarks.harness import Row, median, number, table, unindexed_scans  # noqa: E402
from benchmarks.reference import schema  # noqa: E402

PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
APP_DB = os.environ.get("BENCH_APP_DB", "wt_bench_app")
REF_DB = os.environ.get("BENCH_REF_DB", "wt_bench_ref")
EXTRA_DB = os.environ.get("BENCH_EXTRA_DB", "wt_bench_extra")  # invitations, statistics
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
PYTHON = str(ROOT / ".venv/bin/python")
RESULTS = ROOT / "benchmarks/results/latest.md"
CLIENTS = 200


def app_env(database):
    """Production-like settings; only the rush's rate limits and challenge are relaxed."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wiesbaden_abh.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"{PG}/{database}",
        "REDIS_URL": REDIS,
        "EMAIL_URL": "dummymail://",
        "RATE_LIMITS": "0",
        "BOOKING_CHALLENGE": "0",
        "LOG_LEVEL": "WARNING",
    }


def pg(statement, database="postgres"):
    import psycopg2

    connection = psycopg2.connect(f"{PG}/{database}")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def recreate(name):
    pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg(f'CREATE DATABASE "{name}"')


def flush_redis():
    import redis

    redis.Redis.from_url(REDIS).flushdb()  # our own db number only, never FLUSHALL


def run_json(args, env, timeout):
    done = subprocess.run(
        [PYTHON, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode:
        raise RuntimeError(f"{args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def seed_reference(rounds):
    import psycopg2

    connection = psycopg2.connect(f"{PG}/{REF_DB}")
    connection.autocommit = True
    today = dt.date.today()
    with connection.cursor() as cursor:
        rushes = schema.create(
            cursor,
            first_day=today,
            rush_days=[today + dt.timedelta(days=20 + n) for n in range(rounds)],
        )
    connection.close()
    return rushes


def reference_invariants():
    import psycopg2

    connection = psycopg2.connect(f"{PG}/{REF_DB}")
    try:
        with connection.cursor() as cursor:
            return schema.invariants(cursor)
    finally:
        connection.close()


def person(n, slot, service):
    letters = "".join("abcdefghijklmnopqrstuvwxyz"[int(d)] for d in f"{n:04d}")
    return {
        "service": service,
        "slot": slot,
        "surname": "Bench",
        "given_names": "Ana" + letters,
        "date_of_birth": str(dt.date(1960, 1, 1) + dt.timedelta(days=n)),
        "email": f"bench{n}@example.test",
    }


GETS = ("availability", "day page", "time page", "queue board")
SELECTABLE = ("availability", "day", "time", "board", "rush")


def selected(only, name):
    """Whether a path is measured: all without --only, else those named (`day page` as `day`)."""
    return not only or name.split()[0].replace("queue", "board") in only


def measure_gets(app, ref, seed, rounds, seconds, log, only=()):
    """Each GET path and its reference, interleaved, per round."""
    week = seed["week"]
    ref_path = f"/slots/?team=1&from={week[0]}&to={week[1]}"
    service = seed["service"]
    wizard_cookie = f"sessionid={seed['wizard_session']}"
    paths = {
        "availability": (f"/api/v1/services/{service}/slots/?from={week[0]}&to={week[1]}", None),
        "day page": (f"/de/buchen/{service}/zeit/", wizard_cookie),
        "time page": (f"/de/buchen/{service}/zeit/?day={seed['time_day']}", wizard_cookie),
        "queue board": (
            f"/backoffice/queue/{seed['team']}/board/",
            f"sessionid={seed['staff_session']}",
        ),
    }
    paths["queue board poll"] = paths["queue board"]
    paths = {name: value for name, value in paths.items() if selected(only, name)}
    results = {name: {"ours": [], "ref": []} for name in paths}
    for round_ in range(rounds):
        for name, (path, cookie) in paths.items():
            if name == "queue board poll":
                ours = board_poll(app.port, path, seconds=seconds, cookie=cookie)
            else:
                ours = load.wrk(app.port, path, seconds=seconds, cookie=cookie)
            reference = load.wrk(ref.port, ref_path, seconds=seconds)
            results[name]["ours"].append(ours)
            results[name]["ref"].append(reference)
            log(
                f"round {round_ + 1} {name}: ours {ours['rps']:.0f} req/s "
                f"(p99 {ours['p99_ms']:.0f} ms, {ours['bytes']:,} B, non-2xx {ours['non2xx']}), "
                f"reference {reference['rps']:.0f} req/s"
            )
    return results


def board_poll(port, path, *, seconds, cookie):
    """What an open queue screen does every 8 s while nothing moved: the board with the ETag it
    has (If-None-Match), answered 304. The ETag holds the minute, so the load starts early
    enough in a minute to end within it (a wait of at most a minute)."""
    left = 60 - time.time() % 60
    if left < seconds + 2:
        time.sleep(left + 0.5)
    connection = http.client.HTTPConnection(load.HOST, port, timeout=10)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        response.read()
        etag = response.getheader("ETag")
    finally:
        connection.close()
    if response.status != 200 or not etag:
        raise RuntimeError(f"GET {path} answered {response.status} without an ETag")
    return load.wrk(
        port, path, seconds=seconds, cookie=cookie, headers={"If-None-Match": etag}, expect=304
    )


def measure_rushes(app, ref, seed, ref_rushes, rounds, log):
    """Per round: 200 clients on 56 places (successes/s), then 200 more on the full slots
    (refusals/s); ours then the reference."""
    results = {"ours": [], "ref": []}
    n = 0
    for round_ in range(rounds):
        for side, server, path, slots in (
            ("ours", app, "/api/v1/bookings/", seed["rush"][round_]),
            ("ref", ref, "/book/", ref_rushes[round_]),
        ):
            bodies = []
            for _client in range(CLIENTS):
                n += 1
                bodies.append(person(n, slots[n % len(slots)], seed["service"]))
            taking = load.rush(server.port, path, bodies)
            bodies = []
            for _client in range(CLIENTS):
                n += 1
                bodies.append(person(n, slots[n % len(slots)], seed["service"]))
            refusing = load.rush(server.port, path, bodies)
            results[side].append((taking, refusing))
            log(f"round {round_ + 1} rush {side}: {taking['counts']} in {taking['seconds']:.2f} s; "
                f"then {refusing['counts']} in {refusing['seconds']:.2f} s")  # fmt: skip
    return results


def _rush_rates(runs, status):
    """Per round: answers with `status` per second of the rush (first or second wave)."""
    return [wave["counts"].get(status, 0) / wave["seconds"] for wave in runs]


def extra_benchmarks(quick, log):
    """Reminders, invitations and statistics on a database of their own (scaled down)."""
    rows = []
    env = app_env(EXTRA_DB)
    env.update(CELERY_TASK_ALWAYS_EAGER="1")  # the reminders script turns it off for itself
    count = 500 if quick else 1000
    recreate(EXTRA_DB)
    done = subprocess.run(
        [PYTHON, "benchmarks/invitations_benchmark.py", "--count", str(count)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    log(done.stdout.strip() + (f"\n{done.stderr[-1500:]}" if done.returncode else ""))
    match = re.search(r"^allocate\s+([\d.]+) s", done.stdout, re.M)
    seconds = float(match[1]) * 10_000 / count if match else None
    rows.append(
        Row("invitation allocation, 10,000 invitees", seconds, unit="s", target_max=30,
            note=f"scaled from {count:,}")
    )  # fmt: skip
    mails = 500 if quick else 10_000  # the target's own count in the full run
    recreate(EXTRA_DB)
    result = run_json(["benchmarks/reminders.py", "--count", str(mails)], env, 600)
    log(f"reminders: {json.dumps(result)}")
    rows.append(
        Row("reminders through one worker (10,000 in < 60 s)", result["rate"],
            result["reference_rate"], "mails/s", target_min=10_000 / 60,
            note=f"{mails:,} mails; reference: plain smtplib, a connection per mail")
    )  # fmt: skip
    rows.append(Row("reminders lost or doubled", result["lost"] + result["doubled"], target_max=1))
    rows.append(
        Row("reminders: the worker's peak memory (RSS, sampled every 0.1 s)",
            result["worker_peak_mb"], unit="MB", target_max=300, note=f"{mails:,} mails")
    )  # fmt: skip
    # The rebuild has a part that grows with the appointments and a part that grows with the
    # days (a figure row per day, team, service and channel): a small sample scaled by the
    # appointments alone overstates 1 M many times. Quick: 100,000 over a year, scaled by the
    # appointments (still an upper bound); full: 1 M over two years, measured as it is.
    appointments, days = (100_000, 365) if quick else (1_000_000, 730)
    recreate(EXTRA_DB)
    done = subprocess.run(
        [PYTHON, "benchmarks/statistics_benchmark.py", "--appointments", str(appointments),
         "--days", str(days), "--runs", "5"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600 if quick else 1800,
    )  # fmt: skip
    log(done.stdout.strip() + (f"\n{done.stderr[-1500:]}" if done.returncode else ""))
    rebuilds = [float(s) for s in re.findall(r"^Full rebuild #\d.*?([\d.]+) s$", done.stdout, re.M)]
    overview = re.search(r"^overview\s+median\s+([\d.]+) ms", done.stdout, re.M)
    past = re.search(r"^Appointments: [\d,]+ \(([\d,]+) in the past\)", done.stdout, re.M)
    measured = int(past[1].replace(",", "")) if past else appointments
    scale = 1_000_000 / measured
    fastest = min(rebuilds) if rebuilds else None
    if fastest is None or scale <= 1.05:
        note = f"measured at {measured:,} appointments over {days} days"
    else:
        note = (
            f"{fastest:.1f} s measured at {measured:,} over {days} days, × {scale:.0f}: "
            "an upper bound, the per-day part does not grow with the appointments"
        )
    rows.append(
        Row("statistics full rebuild, 1 M appointments",
            fastest * scale if fastest is not None and scale > 1.05 else fastest, unit="s",
            target_max=30, note=note)
    )  # fmt: skip
    rows.append(
        Row("statistics overview page", float(overview[1]) if overview else None, unit="ms",
            target_max=200, note=f"at {measured:,} appointments")
    )  # fmt: skip
    return rows


def build_rows(gets, rushes):
    rows = []
    for name, figure, target in (
        ("availability", "public availability API, one week", 0.5),
        ("day page", "wizard day page", 0.5),
        ("time page", "wizard time page", 0.5),
        ("queue board", "queue board partial, 200 waiting", 0.3),
    ):
        if name not in gets:
            continue
        ours = median([r["rps"] for r in gets[name]["ours"]])
        reference = median([r["rps"] for r in gets[name]["ref"]])
        rows.append(Row(figure, ours, reference, "req/s", target_ratio=target))
    if "queue board" in gets:
        p99 = median([r["p99_ms"] for r in gets["queue board"]["ours"]])
        rows.append(Row("queue board p99 at 8 connections", p99, unit="ms", target_max=100))
    if "queue board poll" in gets:
        poll = gets["queue board poll"]
        rows.append(
            Row("queue board poll while nothing moved (If-None-Match → 304)",
                median([r["rps"] for r in poll["ours"]]),
                median([r["rps"] for r in poll["ref"]]), "req/s",
                note=f"p99 {number(median([r['p99_ms'] for r in poll['ours']]))} ms; what each "
                "open queue screen sends every 8 s")
        )  # fmt: skip
    for wave, status, figure, target in (
        (0, 201, "booking rush, 200 clients on 56 places: successes", 0.5),
        (1, 409, "booking rush on full slots: refusals (409)", 0.8),
    ):
        if not rushes["ours"]:
            continue
        ours = median(_rush_rates([r[wave] for r in rushes["ours"]], status))
        reference = median(_rush_rates([r[wave] for r in rushes["ref"]], status))
        rows.append(Row(figure, ours, reference, "/s", target_ratio=target))
    return rows


def collect_static(env):
    """DEBUG off serves the hashed names of the manifest: collect when a file is newer."""
    manifest = ROOT / "var/staticfiles/staticfiles.json"
    newest = max(p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT, env=env, check=True, timeout=300,
        )  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 round, shorter loads")
    parser.add_argument("--skip-extra", action="store_true", help="no invitations/statistics")
    parser.add_argument("--keep", action="store_true", help="keep the databases (debugging)")
    parser.add_argument(
        "--only",
        action="append",
        choices=SELECTABLE,
        default=[],
        help="measure only these paths (repeatable; the rush includes the invariant check)",
    )
    args = parser.parse_args()
    rounds, seconds = (1, 3) if args.quick else (3, 8)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    lines = []

    def log(text):
        print(text, flush=True)
        lines.append(text)

    servers = []
    try:
        recreate(APP_DB)
        recreate(REF_DB)
        flush_redis()
        env = app_env(APP_DB)
        collect_static(env)
        seed = run_json(["benchmarks/seed.py", "seed", "--rounds", str(rounds)], env, 600)
        ref_rushes = seed_reference(rounds)
        app = load.Server("wiesbaden_abh.wsgi:application", env, workdir / "app.log")
        servers.append(app)
        ref_env = {**os.environ, "REFERENCE_DATABASE_URL": f"{PG}/{REF_DB}",
                   "DJANGO_SETTINGS_MODULE": "benchmarks.reference.settings"}  # fmt: skip
        ref = load.Server("benchmarks.reference.wsgi:application", ref_env, workdir / "ref.log")
        servers.append(ref)
        app.wait_ready("/healthz")
        ref.wait_ready("/slots/?from=2000-01-01&to=2000-01-02")
        log(f"Seeded and serving in {time.monotonic() - started:.0f} s (logs in {workdir}).")
        gets = measure_gets(app, ref, seed, rounds, seconds, log, args.only)
        rushes = {"ours": [], "ref": []}
        if selected(args.only, "rush"):
            rushes = measure_rushes(app, ref, seed, ref_rushes, rounds, log)
        rows = build_rows(gets, rushes)
        if rushes["ours"]:
            ours_check = run_json(["benchmarks/seed.py", "check"], env, 300)
            ref_check = reference_invariants()
            rows.append(
                Row("slots broken after the rushes (overbooked, or booked ≠ holders + delayed "
                    "releases)", ours_check["overbooked"] + ours_check["mismatched"],
                    target_max=1,
                    note=f"reference: {ref_check['overbooked'] + ref_check['mismatched']}")
            )  # fmt: skip
        for server in servers:
            server.stop()
        servers.clear()
        if not (args.skip_extra or args.only):
            rows += extra_benchmarks(args.quick, log)
        plan = seed["team_day_plan"]
        indexed = not unindexed_scans(plan, "appointments_appointment")
        report = (
            f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC{', quick' if args.quick else ''}: "
            f"{rounds} round(s) of {seconds} s per GET path (wrk, 2 threads, 8 connections), "
            f"gunicorn 2 sync workers, DEBUG off, PostgreSQL + Redis on loopback; "
            f"figures are medians over the rounds.\n\n"
            + table(rows)
            + "\nEXPLAIN of the caseworker's `team_day` query, sequential scans disabled (a "
            "sequential scan or an index scan without an Index Cond below means no index "
            "narrows the rows): appointments found through an index: "
            f"{'yes' if indexed else '**no**'}\n\n```\n{plan}\n```\n"
        )
        log("")
        log(report)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(report)
        log(f"Written to {RESULTS.relative_to(ROOT)}; total {time.monotonic() - started:.0f} s.")
    finally:
        for server in servers:
            server.stop()
        for name in () if args.keep else (APP_DB, REF_DB, EXTRA_DB):
            try:
                pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as error:
                print(f"could not drop {name}: {error}", file=sys.stderr)
        flush_redis()


if __name__ == "__main__":
    main()
