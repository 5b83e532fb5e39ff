#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the registry's tests and prints its connection URL
# (the only line on stdout; progress goes to stderr):
#
#   export BITRIX_TEST_POSTGRES_URL="$(scripts/postgres.sh)"
#   cargo test -p bitrix-app --features postgres
#
# Installs PostgreSQL from Debian's packages when it is missing (needs root or sudo). The
# cluster lives in $BITRIX_PG_DIR (default /tmp/bitrix-pg) and listens on 127.0.0.1 only, port
# $BITRIX_PG_PORT (default 55432), with `trust` authentication for local connections: a test
# server, never a production one. Run as root, the server runs as the `postgres` user (it
# refuses root). A second run reuses the running server. Stop it with `scripts/postgres.sh stop`.
set -euo pipefail

dir="${BITRIX_PG_DIR:-/tmp/bitrix-pg}"
port="${BITRIX_PG_PORT:-55432}"
user=bitrix

log() { echo "postgres.sh: $*" >&2; }

bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

if ! bin="$(bindir)"; then
  log "PostgreSQL is not installed: installing it from Debian's packages"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2
  bin="$(bindir)"
fi

# initdb and postgres refuse to run as root: run them as `postgres` then.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if [ "${1:-}" = "stop" ]; then
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
  exit 0
fi

if [ ! -f "$dir/data/PG_VERSION" ]; then
  log "creating a cluster in $dir/data"
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U "$user" -A trust --no-sync >/dev/null
fi

if ! as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  log "starting the server on 127.0.0.1:$port"
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off" start >&2
fi

echo "postgresql://$user@127.0.0.1:$port/postgres"
