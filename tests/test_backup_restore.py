"""deploy/backup.sh and deploy/restore.sh against the real PostgreSQL server of the test run:
a dump of the test database restores into a new database with the same rows and this
release's migrations; restore refuses a non-empty target unless forced and reports a dump of
an older schema; backup keeps the newest BACKUP_KEEP dumps, writes nothing on failure and
never puts the password on a command line. (`make restore-test` does the same with the demo
data and compares report CSVs.)"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.factories import appointment, bookable_slot

ROOT = Path(__file__).resolve().parents[1]
BACKUP, RESTORE = ROOT / "deploy" / "backup.sh", ROOT / "deploy" / "restore.sh"
DUMP_NAME = re.compile(r"^(?P<db>.+)-\d{8}T\d{6}Z\.dump$")

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# One query: the exact row count of every table in the public schema.
COUNTS = """
SELECT table_name || '=' || (xpath('/row/c/text()',
       query_to_xml(format('SELECT count(*) AS c FROM %I', table_name), false, true, '')))[1]
FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1
"""


def server_url(database, password=None):
    """A DATABASE_URL for `database` on the test run's server, as the application writes it."""
    settings = connection.settings_dict
    user = quote(settings["USER"] or "", safe="")
    secret = f":{quote(password, safe='')}" if password else ""
    host = settings["HOST"] or "127.0.0.1"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{user}{secret}@{host}{port}/{database}"


def run(script, *args, env=None, path_prefix=None):
    environment = {**os.environ, "PYTHON": sys.executable, **(env or {})}
    environment["DATABASE_URL"] = (env or {}).get("DATABASE_URL") or server_url(
        connection.settings_dict["NAME"]
    )
    if path_prefix:
        environment["PATH"] = f"{path_prefix}:{environment['PATH']}"
    return subprocess.run(
        [str(script), *map(str, args)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def psql(database, sql):
    return subprocess.run(
        ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", server_url(database)],
        input=sql,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()


def drop(database):
    psql("postgres", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
def scratch():
    """Names for extra databases next to the test database; dropped afterwards."""
    made = []

    def name(suffix):
        made.append(f"{connection.settings_dict['NAME']}_{suffix}")
        drop(made[-1])
        return made[-1]

    yield name
    for database in made:
        drop(database)


def backup(directory, keep=3, **env):
    result = run(BACKUP, env={"BACKUP_DIR": str(directory), "BACKUP_KEEP": str(keep), **env})
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip())


def test_a_dump_restores_into_a_new_database_with_the_same_rows_and_migrations(tmp_path, scratch):
    service, _team, slot = bookable_slot(capacity=5)
    for n in range(3):
        appointment(service=service, slot=slot, n=n)
    source = connection.settings_dict["NAME"]
    target = scratch("restored")

    dump = backup(tmp_path)
    restored = run(RESTORE, dump, target)

    assert DUMP_NAME.match(dump.name)["db"] == source
    assert restored.returncode == 0, restored.stderr
    assert f"created database {target}" in restored.stderr
    assert "migrations of this release match" in restored.stderr
    counts = psql(source, COUNTS)
    assert "appointments_appointment=3" in counts
    assert psql(target, COUNTS) == counts
    # The sequences come along: the next booking in the copy gets a fresh id.
    [following] = psql(target, "SELECT nextval('appointments_appointment_id_seq')")
    [highest] = psql(source, "SELECT max(id) FROM appointments_appointment")
    assert int(following) > int(highest)


def test_restore_refuses_a_database_with_tables_unless_forced(tmp_path, scratch):
    target = scratch("busy")
    psql("postgres", f'CREATE DATABASE "{target}"')
    psql(target, "CREATE TABLE precious (id int); INSERT INTO precious VALUES (1)")
    dump = backup(tmp_path)

    refused = run(RESTORE, dump, target)
    assert refused.returncode == 3
    assert "not empty (1 relations)" in refused.stderr
    assert psql(target, "SELECT count(*) FROM precious") == ["1"]

    forced = run(RESTORE, "--force", "--skip-check", dump, target)
    assert forced.returncode == 0, forced.stderr
    assert int(psql(target, "SELECT count(*) FROM django_migrations")[0]) > 0
    # --clean replaces what the dump holds; a table the dump does not know stays.
    assert psql(target, "SELECT count(*) FROM precious") == ["1"]


def test_an_empty_existing_database_is_used_and_an_older_schema_fails_the_check(tmp_path, scratch):
    older = scratch("older")
    psql("postgres", f'CREATE DATABASE "{older}"')
    psql(older, "CREATE TABLE django_migrations (id serial, app text, name text, applied date)")
    target = scratch("older_copy")
    psql("postgres", f'CREATE DATABASE "{target}"')

    dump = backup(tmp_path, DATABASE_URL=server_url(older))
    result = run(RESTORE, dump, target)

    assert result.returncode == 4
    assert "created database" not in result.stderr
    assert "does not match this release's migrations" in result.stderr
    assert psql(target, "SELECT count(*) FROM django_migrations") == ["0"]


def test_backup_keeps_the_newest_dumps_of_its_database_only(tmp_path):
    source = connection.settings_dict["NAME"]
    old = [f"{source}-2020010{day}T000000Z.dump" for day in (1, 2, 3)]
    others = [f"{source}x-20200101T000000Z.dump", f"{source}-manual.dump", "notes.txt"]
    for name in old + others:
        (tmp_path / name).write_text("old")

    made = backup(tmp_path, keep=2)

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([old[2], made.name, *others])


def test_a_failed_dump_exits_non_zero_and_leaves_no_file(tmp_path, scratch):
    (tmp_path / "keep-20200101T000000Z.dump").write_text("old")
    missing = scratch("never_created")

    result = run(
        BACKUP,
        env={"BACKUP_DIR": str(tmp_path), "BACKUP_KEEP": "1", "DATABASE_URL": server_url(missing)},
    )

    assert result.returncode != 0
    assert result.stdout == ""
    assert "pg_dump of" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["keep-20200101T000000Z.dump"]


def test_the_password_reaches_pg_dump_through_a_private_file_not_its_command_line(tmp_path):
    """A pg_dump in front of the real one records its arguments and the password file."""
    real = shutil.which("pg_dump")
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "pg_dump").write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$*" > {tmp_path}/argv\n'
        f'stat -c %a "$PGPASSFILE" > {tmp_path}/mode\n'
        f'cat "$PGPASSFILE" > {tmp_path}/passfile\n'
        f'echo "$PGPASSFILE" > {tmp_path}/passfile-path\n'
        f'exec {real} "$@"\n'
    )
    (shim / "pg_dump").chmod(0o755)
    password = "s3cr:et@x\\y"  # the trust-authenticated test server ignores it
    url = server_url(connection.settings_dict["NAME"], password=password)

    result = run(
        BACKUP,
        env={"DATABASE_URL": url, "BACKUP_DIR": str(tmp_path / "dumps")},
        path_prefix=shim,
    )

    assert result.returncode == 0, result.stderr
    argv = (tmp_path / "argv").read_text()
    assert "s3cr" not in argv and "@" not in argv
    assert (tmp_path / "passfile").read_text() == "*:*:*:*:s3cr\\:et@x\\\\y\n"
    assert (tmp_path / "mode").read_text().strip() == "600"
    assert not Path((tmp_path / "passfile-path").read_text().strip()).exists()


def test_restore_takes_a_plain_database_name_only(tmp_path):
    dump = tmp_path / "x.dump"
    dump.write_text("")

    result = run(RESTORE, dump, "host=elsewhere dbname=x")

    assert result.returncode == 1
    assert "is not a plain database name" in result.stderr
