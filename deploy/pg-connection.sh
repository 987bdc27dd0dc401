# shellcheck shell=bash
# Sourced by backup.sh and restore.sh: turn DATABASE_URL (as the application reads it) into
# libpq's environment, so that pg_dump, pg_restore and psql never see a password on their
# command line. Without DATABASE_URL, the PG* variables already set are used as they are.
#
# pg_connection_from_env   exports PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSLMODE ... and, for a
#                          password in the URL, PGPASSFILE (a private temporary file)
# pg_connection_url NAME   a DATABASE_URL for database NAME on the same server, without the
#                          password (libpq takes it from PGPASSFILE/PGPASSWORD)
# pg_connection_cleanup    removes the temporary password file

_pg_passfile=""

_pg_decode() {
  local s=${1//\\/\\\\}
  printf '%b' "${s//%/\\x}"
}

_pg_encode() {
  local LC_ALL=C s=$1 out="" c i
  for (( i = 0; i < ${#s}; i++ )); do
    c=${s:i:1}
    case $c in
      [A-Za-z0-9._~-]) out+=$c ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf '%s' "$out"
}

pg_connection_from_env() {
  local url=${DATABASE_URL:-}
  if [[ -z $url ]]; then
    if [[ -z ${PGDATABASE:-} ]]; then
      echo "set DATABASE_URL (postgres://user@host:port/database) or PGDATABASE and friends" >&2
      return 1
    fi
    return 0
  fi
  local scheme=${url%%://*}
  case $scheme in
    postgres | postgresql | pgsql | psql | postgis) ;;
    *) echo "DATABASE_URL is not a PostgreSQL URL (scheme '$scheme')" >&2; return 1 ;;
  esac
  local rest=${url#*://} query="" authority path userinfo="" hostport
  if [[ $rest == *\?* ]]; then query=${rest#*\?}; rest=${rest%%\?*}; fi
  authority=${rest%%/*}
  path=""
  [[ $rest == */* ]] && path=${rest#*/}
  if [[ $authority == *@* ]]; then userinfo=${authority%@*}; hostport=${authority##*@}; else hostport=$authority; fi
  [[ -n $path ]] || { echo "DATABASE_URL names no database" >&2; return 1; }

  unset PGHOST PGPORT PGUSER PGPASSWORD
  export PGDATABASE
  PGDATABASE=$(_pg_decode "$path")
  if [[ -n $userinfo ]]; then
    export PGUSER
    PGUSER=$(_pg_decode "${userinfo%%:*}")
    if [[ $userinfo == *:* ]]; then
      local password
      password=$(_pg_decode "${userinfo#*:}")
      password=${password//\\/\\\\}
      password=${password//:/\\:}
      _pg_passfile=$(mktemp "${TMPDIR:-/tmp}/pgpass.XXXXXX")
      chmod 600 "$_pg_passfile"
      printf '*:*:*:*:%s\n' "$password" >"$_pg_passfile"
      export PGPASSFILE=$_pg_passfile
    fi
  fi
  local host=$hostport port=""
  if [[ $hostport == \[*\]* ]]; then
    host=${hostport%%]*}; host=${host#[}
    [[ $hostport == *\]:* ]] && port=${hostport##*]:}
  elif [[ $hostport == *:* ]]; then
    host=${hostport%:*}; port=${hostport##*:}
  fi
  if [[ -n $host ]]; then export PGHOST; PGHOST=$(_pg_decode "$host"); fi
  if [[ -n $port ]]; then export PGPORT=$port; fi

  local pair key value
  local IFS='&'
  for pair in $query; do
    key=${pair%%=*}; value=$(_pg_decode "${pair#*=}")
    case $key in
      sslmode) export PGSSLMODE=$value ;;
      sslrootcert) export PGSSLROOTCERT=$value ;;
      sslcert) export PGSSLCERT=$value ;;
      sslkey) export PGSSLKEY=$value ;;
      connect_timeout) export PGCONNECT_TIMEOUT=$value ;;
      application_name) export PGAPPNAME=$value ;;
      *) echo "DATABASE_URL: option '$key' is not passed on to the PostgreSQL tools" >&2 ;;
    esac
  done
  return 0
}

pg_connection_url() {
  local url="postgres://" host=${PGHOST:-}
  [[ -n ${PGUSER:-} ]] && url+="$(_pg_encode "$PGUSER")@"
  if [[ $host == *:* && $host != /* ]]; then url+="[$host]"; else url+=$(_pg_encode "$host"); fi
  [[ -n ${PGPORT:-} ]] && url+=":$PGPORT"
  url+="/$(_pg_encode "$1")"
  printf '%s' "$url"
}

pg_connection_cleanup() {
  if [[ -n $_pg_passfile ]]; then rm -f "$_pg_passfile"; fi
}
