#!/usr/bin/env python
"""`make restore-test`: backup → restore → the same figures, on PostgreSQL (issue 19).

Creates a database with the demo data (seed_demo: months of history and its statistics) and
some bookings made through the public API, dumps it with deploy/backup.sh, restores the dump
with deploy/restore.sh into a database that does not exist yet (which also runs
`manage.py migrate --check` on it), then runs the application against both and compares:
the row count of every table, every sequence's position, and report CSVs (the export view,
through Django's test client, as a supervisor downloads them). On the restored database it
then books once more (new rows get fresh ids) and checks that restore.sh refuses to restore
over it. Prints its figures; exits 1 on any difference. Drops both databases afterwards
(RESTORE_KEEP=1 keeps them), bounded in time (RESTORE_TIMEOUT, default 240 s).
Environment: RESTORE_PG (server URL, default postgres://postgres@127.0.0.1:5432),
RESTORE_DATABASE (default wt_restore_run; the restored copy is <name>_restored; both are
dropped and created anew).

`restore_test.py book N` and `restore_test.py figures FROM TO [--book-after]` are its steps
inside the application (DATABASE_URL says which database); the latter prints JSON.
"""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = os.environ.get("RESTORE_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB = os.environ.get("RESTORE_DATABASE", "wt_restore_run")
COPY = f"{DB}_restored"
TIMEOUT = int(os.environ.get("RESTORE_TIMEOUT", "240"))
BOOKINGS = 60
# Report tables exported for the comparison (caseworkers/views/reports.py EXPORTS).
REPORTS = ("summary", "channel", "team", "service", "language", "weekday", "overview-monthly")
PY = sys.executable

violations = []


def check(ok, what):
    print(f"  {'ok  ' if ok else 'FAIL'} {what}", flush=True)
    if not ok:
        violations.append(what)


def app_env(database, workdir):
    """The application's environment for one database: no Redis, tasks inline, mails dropped,
    no challenge or rate limits (the test books through the API from one address)."""
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/{database}",
        "REDIS_URL": "",
        "EMAIL_URL": "dummymail://",
        "CELERY_TASK_ALWAYS_EAGER": "on",
        "CELERY_QUEUE_DIR": str(workdir / "celery"),
        "DEBUG": "on",
        "ALLOWED_HOSTS": "testserver",
        "STAFF_2FA_REQUIRED": "off",
        "BOOKING_CHALLENGE": "off",
        "RATE_LIMITS": "off",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "wiesbaden_abh.settings",
    }


def run(args, env, timeout=180, ok_codes=(0,)):
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode not in ok_codes:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"{' '.join(map(str, args[:3]))}... exited {result.returncode}")
    return result


def psql(sql):
    subprocess.run(["psql", f"{PG}/postgres", "-q", "-c", sql], check=True, timeout=60)


def drop(database):
    psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def main():
    began = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="restore-test-"))
    source, restored = app_env(DB, workdir), app_env(COPY, workdir)
    # The tools get the server as the application has it; the password (if any) goes from
    # there into a private file, never onto a command line.
    tools = {**os.environ, "DATABASE_URL": f"{PG}/{DB}", "PYTHON": PY}
    try:
        drop(DB)
        drop(COPY)
        psql(f'CREATE DATABASE "{DB}"')
        run([PY, "manage.py", "migrate", "--noinput", "-v0"], source)
        t0 = time.monotonic()
        run([PY, "manage.py", "seed_demo"], source, timeout=240)
        booked = json.loads(run([PY, __file__, "book", str(BOOKINGS)], source).stdout)
        seeded = time.monotonic() - t0
        print(f"[restore] {DB} migrated and seeded in {time.monotonic() - began:.1f}s "
              f"(seed_demo and {BOOKINGS} API bookings {seeded:.1f}s: {booked})",
              flush=True)  # fmt: skip

        t0 = time.monotonic()
        backups = workdir / "backups"
        made = run(["deploy/backup.sh"], {**tools, "BACKUP_DIR": str(backups), "BACKUP_KEEP": "2"})
        dump = Path(made.stdout.strip())
        took_backup = time.monotonic() - t0
        check(dump.is_file() and dump.parent == backups, f"backup.sh wrote {dump.name}")
        print(f"[backup] {dump.stat().st_size:,} bytes in {took_backup:.1f}s", flush=True)

        t0 = time.monotonic()
        restore = run(["deploy/restore.sh", str(dump), COPY], tools, timeout=240)
        took_restore = time.monotonic() - t0
        check("migrations of this release match" in restore.stderr,
              "restore.sh created the database and migrate --check passed")  # fmt: skip
        print(f"[restore] into {COPY} in {took_restore:.1f}s (incl. migrate --check)", flush=True)

        # The report range: fixed once here, so both sides ask for the same days.
        import datetime as dt

        today = dt.date.today()
        span = [(today - dt.timedelta(days=365)).isoformat(), today.isoformat()]
        before = json.loads(run([PY, __file__, "figures", *span], source).stdout)
        after = json.loads(run([PY, __file__, "figures", *span, "--book-after"], restored).stdout)
        compare(before, after)

        again = run(["deploy/restore.sh", str(dump), COPY], tools, ok_codes=(0, 3))
        check(again.returncode == 3, "restore.sh refuses to restore over the non-empty copy")
    finally:
        if os.environ.get("RESTORE_KEEP") != "1":
            drop(DB)
            drop(COPY)
        shutil.rmtree(workdir, ignore_errors=True)
        print(f"[restore] done after {time.monotonic() - began:.1f}s", flush=True)
    if violations:
        print(f"[restore] {len(violations)} difference(s): {violations}")
        return 1
    print("[restore] backup -> restore gives the same figures")
    return 0


def compare(before, after):
    tables, rows = before["tables"], sum(before["tables"].values())
    print(f"[figures] {len(tables)} tables, {rows:,} rows; largest: "
          + ", ".join(f"{name} {count:,}" for name, count in
                      sorted(tables.items(), key=lambda item: -item[1])[:5]))  # fmt: skip
    differing = {
        name: (count, after["tables"].get(name))
        for name, count in tables.items()
        if after["tables"].get(name) != count
    }
    check(set(after["tables"]) == set(tables), "the same tables")
    check(not differing, f"every table has the same row count {differing or ''}")
    moved = {k: (v, after["sequences"].get(k)) for k, v in before["sequences"].items()
             if after["sequences"].get(k) != v}  # fmt: skip
    check(not moved, f"{len(before['sequences'])} sequences at the same position {moved or ''}")
    for name, export in before["reports"].items():
        again = after["reports"][name]
        check(export["status"] == 200 and export["rows"] > 0, f"report {name}.csv has rows")
        print(f"    {name}.csv: {export['rows']} rows, sha256 {export['sha256'][:12]}"
              f" / restored {again['sha256'][:12]}")  # fmt: skip
        check(export == again, f"report {name}.csv identical")
    check(after.get("booked_after") == 201, "a new booking on the restored database (201)")


# --- steps inside the application ----------------------------------------------------------


def setup():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def letters(n):
    """A surname without digits (the name policy): 0 → Sicherung-Aaa, 1 → Sicherung-Aab, ..."""
    return "Sicherung" + "".join(chr(ord("a") + int(d, 26)) for d in f"{n:03d}")


def listed(client, path, **query):
    """The first page of an API list (paginated or not)."""
    response = client.get(path, {"page_size": 200, **query})
    if response.status_code != 200:
        raise SystemExit(f"{path}: {response.status_code} {response.content[:300]!r}")
    data = response.json()
    return data["results"] if isinstance(data, dict) else data


def book_through_api(client, n):
    """Book person n onto the first free time of an active service; the HTTP status."""
    services = [s["slug"] for s in listed(client, "/api/v1/services/") if s["bookable_online"]]
    slug = services[n % len(services)]
    surname = letters(n)
    slots = listed(client, f"/api/v1/services/{slug}/slots/", surname=surname)
    free = [slot for slot in slots if slot["free"] > 0]
    if not free:
        return None
    body = {"service": slug, "slot": free[n % len(free)]["id"], "surname": surname,
            "given_names": "Erika", "date_of_birth": "1990-01-01",
            "email": f"restore{n}@example.test", "language": "de"}  # fmt: skip
    return client.post("/api/v1/bookings/", body, content_type="application/json").status_code


def book(count):
    setup()
    from django.test import Client

    client = Client()
    statuses = [book_through_api(client, n) for n in range(count)]
    if statuses.count(201) < count // 2:
        raise SystemExit(f"too few bookings went through: {statuses}")
    json.dump({str(status): statuses.count(status) for status in set(statuses)}, sys.stdout)


def figures(date_from, date_to, book_after):
    """Row counts of every table, sequence positions and report CSVs of DATABASE_URL's
    database, as JSON; the counts come first (the report's login writes a session)."""
    setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    with connection.cursor() as cursor:
        tables = {}
        for name in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608 (introspected, quoted)
            tables[name] = cursor.fetchone()[0]
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences ORDER BY 1")
        sequences = dict(cursor.fetchall())
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(get_user_model().objects.get(username="teamleitung"))
    reports = {}
    for name in REPORTS:
        response = client.get(f"/backoffice/reports/export/{name}.csv",
                              {"date_from": date_from, "date_to": date_to})  # fmt: skip
        reports[name] = {
            "status": response.status_code,
            "rows": response.content.count(b"\n") - 1,
            "sha256": hashlib.sha256(response.content).hexdigest(),
        }
    result = {"tables": tables, "sequences": sequences, "reports": reports}
    if book_after:
        result["booked_after"] = book_through_api(Client(), 10_000)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    step = sys.argv[1] if len(sys.argv) > 1 else ""
    if step == "book":
        book(int(sys.argv[2]))
    elif step == "figures":
        figures(sys.argv[2], sys.argv[3], "--book-after" in sys.argv)
    else:
        signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("restore")))
        signal.alarm(TIMEOUT)
        sys.exit(main())
