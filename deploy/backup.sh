#!/usr/bin/env bash
# Dump the application's PostgreSQL database in pg_dump's custom format (-Fc) into a folder and
# keep the newest BACKUP_KEEP dumps of that database there.
#
#   DATABASE_URL=postgres://abh:secret@db:5432/wiesbaden_abh BACKUP_DIR=/backups deploy/backup.sh
#
# Connection: DATABASE_URL (as the application reads it), else the libpq variables PGHOST,
# PGPORT, PGUSER, PGPASSWORD/PGPASSFILE and PGDATABASE. The password reaches pg_dump through a
# private password file, never its command line (which `ps` shows to every user).
# BACKUP_DIR (default ./backups) receives <database>-<UTC timestamp>.dump; the dump is written
# under a hidden temporary name, checked with `pg_restore --list` and only then renamed, so a
# dump with the final name is always complete. BACKUP_KEEP (default 14) dumps of the database
# are kept, older ones deleted. Prints the dump's path; exits non-zero on any failure (nothing
# is deleted then).
set -euo pipefail
umask 077

die() { echo "backup.sh: $*" >&2; exit 1; }

# shellcheck source=deploy/pg-connection.sh
. "$(dirname "${BASH_SOURCE[0]}")/pg-connection.sh"

BACKUP_DIR=${BACKUP_DIR:-./backups}
BACKUP_KEEP=${BACKUP_KEEP:-14}
[[ $BACKUP_KEEP =~ ^[1-9][0-9]*$ ]] || die "BACKUP_KEEP must be a whole number >= 1, not '$BACKUP_KEEP'"
command -v pg_dump >/dev/null || die "pg_dump is missing (Debian: apt-get install postgresql-client)"

pg_connection_from_env || exit 1
database=$PGDATABASE
[[ $database =~ ^[A-Za-z0-9_.-]+$ ]] || die "the database name '$database' is not usable in a file name"

mkdir -p "$BACKUP_DIR"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
final="$BACKUP_DIR/$database-$stamp.dump"
[[ -e $final ]] && die "$final exists already (one dump per second)"
partial="$BACKUP_DIR/.$database-$stamp.dump.partial"

cleanup() {
  rm -f "$partial"
  pg_connection_cleanup
}
trap cleanup EXIT

SECONDS=0
pg_dump --format=custom --compress=6 --no-password --file="$partial" || die "pg_dump of $database failed"
# A dump that pg_restore cannot read is no backup.
pg_restore --list "$partial" >/dev/null || die "the dump of $database is not readable"
sync "$partial" 2>/dev/null || true
mv -- "$partial" "$final"
size=$(stat -c %s "$final")
echo "backup.sh: $database dumped to $final ($size bytes, ${SECONDS}s)" >&2

# Retention: the names sort by time; delete all but the newest BACKUP_KEEP of this database.
mapfile -t dumps < <(find "$BACKUP_DIR" -maxdepth 1 -type f \
  -regextype posix-extended -regex ".*/${database//./\\.}-[0-9]{8}T[0-9]{6}Z\.dump" -printf '%f\n' | sort)
excess=$(( ${#dumps[@]} - BACKUP_KEEP ))
for (( i = 0; i < excess; i++ )); do
  rm -f -- "${BACKUP_DIR:?}/${dumps[i]}"
  echo "backup.sh: removed ${dumps[i]} (keeping $BACKUP_KEEP)" >&2
done
echo "$final"
