"""The benchmark's pure parts (table, ratio and verdict, wrk and EXPLAIN parsing) and the
reference project's views; the full `make bench` never runs in the suite."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from benchmarks.harness import Row, median, number, parse_wrk, table, unindexed_scans
from benchmarks.reference.schema import rush_capacities

ROOT = Path(__file__).resolve().parent.parent

WRK_OUTPUT = """Running 3s test @ http://127.0.0.1:40123/slots/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    11.73ms    3.01ms  40.12ms   80.00%
    Req/Sec   341.20     30.10   400.00     70.00%
  Latency Distribution
     50%   11.10ms
     75%   12.90ms
     90%   15.00ms
     99%    1.25s
  2046 requests in 3.00s, 1.10MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:    681.93
Transfer/sec:    376.20KB
"""


def test_wrk_output_is_parsed_with_its_units():
    figures = parse_wrk(WRK_OUTPUT)
    assert figures == {
        "rps": 681.93,
        "p50_ms": 11.1,
        "p99_ms": 1250.0,
        "non2xx": 7,
        "errors": 3,
    }


def test_wrk_output_without_errors_counts_none():
    clean = WRK_OUTPUT.replace("  Socket errors: connect 0, read 2, write 0, timeout 1\n", "")
    clean = clean.replace("  Non-2xx or 3xx responses: 7\n", "")
    assert parse_wrk(clean)["errors"] == 0
    assert parse_wrk(clean)["non2xx"] == 0


def test_ratio_target_passes_only_at_or_above_it():
    assert Row("a", 50, 100, target_ratio=0.5).passed is True
    assert Row("a", 49, 100, target_ratio=0.5).passed is False
    assert Row("a", 49, 100, target_ratio=0.5).ratio == pytest.approx(0.49)


def test_maximum_target_passes_only_below_it():
    assert Row("p99", 99, unit="ms", target_max=100).passed is True
    assert Row("p99", 100, unit="ms", target_max=100).passed is False


def test_minimum_target_passes_at_or_above_it():
    row = Row("reminders", 166.7, 180.0, "mails/s", target_min=166.7)
    assert row.passed is True
    assert row.target == "≥ 167 mails/s"
    assert Row("reminders", 38.0, target_min=166.7).passed is False


def test_rows_without_a_figure_or_target_have_no_verdict():
    assert Row("a", None, 100, target_ratio=0.5).passed is None
    assert Row("a", 5, None, target_ratio=0.5).passed is None
    assert Row("a", 5, 0, target_ratio=0.5).ratio is None
    assert Row("a", 5).passed is None


def test_table_has_one_line_per_row_with_figures_ratio_target_and_verdict():
    rows = [
        Row("availability", 340.4, 1361.2, "req/s", target_ratio=0.5),
        Row("queue p99", 12.345, unit="ms", target_max=100, note="8 connections"),
        Row("reminders", None, unit="mails/s"),
    ]
    lines = table(rows).splitlines()
    assert lines[0] == "| figure | ours | reference | ratio | target | result |"
    assert lines[2] == (
        "| availability | 340 req/s | 1,361 req/s | 0.25 | ratio ≥ 0.5 | **FAIL** |"
    )
    assert lines[3] == "| queue p99 (8 connections) | 12.3 ms | — | — | < 100 ms | pass |"
    assert lines[4] == "| reminders | not measured | — | — | — | — |"
    assert len(lines) == 5


def test_numbers_keep_the_decimals_their_size_needs():
    assert [number(v) for v in (12_345.6, 123.4, 12.34, 1.234, None)] == [
        "12,346",
        "123",
        "12.3",
        "1.23",
        "—",
    ]


def test_median_ignores_missing_rounds():
    assert median([3, None, 1, 2]) == 2
    assert median([None]) is None


PLAN = """Sort
  ->  Hash Join
        Hash Cond: (appointments_appointment.slot_id = appointments_slot.id)
        ->  Index Scan using appointments_appointment_queue_team_id on appointments_appointment
              Filter: ((status)::text <> ALL ('{held,expired}'::text[]))
        ->  Hash
              ->  Bitmap Heap Scan on appointments_slot
                    ->  Bitmap Index Scan on slot_start_idx
                          Index Cond: (start >= '2026-12-05 23:00:00+00'::timestamptz)
        ->  Index Scan using appointments_team_pkey on appointments_team
              Index Cond: (id = appointments_appointment.queue_team_id)
        ->  Seq Scan on auth_user
"""


def test_scans_without_an_index_condition_are_counted_per_table():
    assert unindexed_scans(PLAN, "appointments_appointment") == 1  # whole-index walk
    assert unindexed_scans(PLAN, "appointments_slot") == 0
    assert unindexed_scans(PLAN, "appointments_team") == 0
    assert unindexed_scans(PLAN, "auth_user") == 1
    indexed = PLAN.replace(
        "              Filter: ((status)",
        "              Index Cond: (queue_team_id = 1)\n              Filter: ((status)",
    )
    assert unindexed_scans(indexed, "appointments_appointment") == 0


def test_rush_places_are_56_over_32_slots():
    capacities = rush_capacities()
    assert len(capacities) == 32
    assert sum(capacities) == 56


REFERENCE_CHECK = """
import datetime as dt, json, os, django
django.setup()
from django.db import connection
from django.test import Client
from benchmarks.reference import schema
day = dt.date(2030, 1, 7)
with connection.cursor() as cursor:
    rushes = schema.create(cursor, first_day=day, days=1, rush_days=[day])
single = rushes[0][0]
client = Client()
slots = client.get("/slots/", {"team": 1, "from": "2030-01-07", "to": "2030-01-08"})
first = client.post("/book/", json.dumps({"slot": single, "email": "a@example.test"}),
                    content_type="application/json")
second = client.post("/book/", json.dumps({"slot": single, "email": "b@example.test"}),
                     content_type="application/json")
bad = client.post("/book/", "nonsense", content_type="application/json")
with connection.cursor() as cursor:
    checks = schema.invariants(cursor)
print(json.dumps({"slots": [slots.status_code, len(slots.json()["slots"])],
                  "book": [first.status_code, second.status_code, bad.status_code],
                  "checks": checks}))
"""


@pytest.mark.postgres
def test_reference_views_answer_one_query_and_guard_the_last_place():
    import psycopg2

    db = settings.DATABASES["default"]
    base = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    name = f"{db['NAME']}_ref_{uuid.uuid4().hex[:6]}"
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        done = subprocess.run(
            [sys.executable, "-c", REFERENCE_CHECK],
            cwd=ROOT,
            env={
                "PATH": "/usr/bin:/bin",
                "DJANGO_SETTINGS_MODULE": "benchmarks.reference.settings",
                "REFERENCE_DATABASE_URL": f"{base}/{name}",
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    assert result["slots"] == [200, 32]
    assert result["book"] == [201, 409, 400]
    assert result["checks"] == {"overbooked": 0, "mismatched": 0}


def test_the_reminder_benchmark_sees_the_workers_peak_memory():
    from benchmarks.reminders import PeakMemory, rss_mb

    # A process that holds 80 MB for a second, then frees them: the peak is kept.
    hog = subprocess.Popen(
        [sys.executable, "-c", "import time; b = bytearray(80 * 2**20); time.sleep(1.5); del b; "
         "time.sleep(1)"]
    )  # fmt: skip
    try:
        memory = PeakMemory(hog.pid)
        hog.wait(timeout=30)
        peak = memory.stop()
    finally:
        hog.kill()
    assert peak >= 80
    assert rss_mb(hog.pid) is None  # gone: no figure, no error
