#!/usr/bin/env bash
# Restore a dump of deploy/backup.sh into a new or empty database, then check that the
# application's migrations match it.
#
#   DATABASE_URL=postgres://abh:secret@db:5432/wiesbaden_abh \
#     deploy/restore.sh backups/wiesbaden_abh-20261206T023000Z.dump wiesbaden_abh_restored
#
# The server and credentials come from DATABASE_URL (or PGHOST, PGPORT, PGUSER, PGPASSWORD);
# its database name is not used: the target is the second argument. A missing target is
# created (from template0); an existing one must be empty — a database with tables is refused
# unless --force, which restores over it (pg_restore --clean --if-exists). The restore is one
# transaction (all or nothing), without the dump's owners and grants (--no-owner
# --no-privileges: the connecting role owns what it restores). Afterwards
# `manage.py migrate --check` runs against the restored database (--skip-check where the
# application is not installed, e.g. in the postgres image); it fails when the dump is from
# an older release: run `manage.py migrate` on it then.
# Exit codes: 0 restored and checked, 1 error, 2 usage, 3 target not empty, 4 migrations differ.
set -euo pipefail
umask 077

usage() {
  echo "usage: restore.sh [--force] [--skip-check] DUMP DATABASE" >&2
  exit 2
}
die() { echo "restore.sh: $*" >&2; exit 1; }

force=0 check=1
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --force) force=1 ;;
    --skip-check) check=0 ;;
    --) shift; break ;;
    *) usage ;;
  esac
  shift
done
[[ $# -eq 2 ]] || usage
dump=$1 target=$2
# A name only: anything with '=' or '://' would be read by libpq as a connection string.
[[ $target =~ ^[A-Za-z_][A-Za-z0-9_-]*$ ]] || die "'$target' is not a plain database name"
[[ -r $dump ]] || die "cannot read $dump"
for tool in pg_restore psql createdb; do
  command -v "$tool" >/dev/null || die "$tool is missing (Debian: apt-get install postgresql-client)"
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=deploy/pg-connection.sh
. "$here/pg-connection.sh"
if [[ -z ${DATABASE_URL:-} ]]; then PGDATABASE=${PGDATABASE:-postgres}; fi
pg_connection_from_env || exit 1
trap pg_connection_cleanup EXIT

SECONDS=0
pg_restore --list "$dump" >/dev/null || die "$dump is not a dump in pg_dump's custom format"

sql() {  # sql DATABASE QUERY: one value; the query reads the target's name as :'target'
  psql --no-password -X -q -t -A -v ON_ERROR_STOP=1 -v target="$target" -d "$1" <<<"$2"
}

exists=$(sql postgres "SELECT count(*) FROM pg_database WHERE datname = :'target'")
clean=()
if [[ $exists == 0 ]]; then
  createdb --no-password --maintenance-db=postgres --template=template0 "$target"
  echo "restore.sh: created database $target" >&2
else
  relations=$(sql "$target" "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'")
  if [[ $relations != 0 ]]; then
    if [[ $force == 0 ]]; then
      echo "restore.sh: database $target is not empty ($relations relations); refusing to" \
        "overwrite it (--force restores over it)" >&2
      exit 3
    fi
    echo "restore.sh: --force: restoring over $target ($relations relations)" >&2
    clean=(--clean --if-exists)
  fi
fi

pg_restore --no-password --dbname="$target" --no-owner --no-privileges --exit-on-error \
  --single-transaction "${clean[@]}" "$dump" || die "pg_restore into $target failed (nothing was restored)"
# pg_restore brings no planner statistics; without them the first queries plan badly.
sql "$target" "ANALYZE" >/dev/null
tables=$(sql "$target" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
echo "restore.sh: $dump restored into $target ($tables tables, ${SECONDS}s)" >&2

if [[ $check == 1 ]]; then
  root=$(dirname "$here")
  python=${PYTHON:-}
  if [[ -z $python ]]; then
    if [[ -x $root/.venv/bin/python ]]; then python=$root/.venv/bin/python
    else python=$(command -v python3 || command -v python || true); fi
  fi
  [[ -n $python && -f $root/manage.py ]] || die "no application to check with (--skip-check)"
  if ! (cd "$root" && DATABASE_URL=$(pg_connection_url "$target") "$python" manage.py migrate --check --noinput >&2); then
    echo "restore.sh: $target does not match this release's migrations" \
      "(a dump of an older release: run manage.py migrate on it)" >&2
    exit 4
  fi
  echo "restore.sh: migrations of this release match $target" >&2
fi
