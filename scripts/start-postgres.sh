#!/usr/bin/env bash
# Starts (idempotently) a throwaway Postgres cluster on 127.0.0.1 for the database tests and prints
# the URL to export as PEERGOS_TEST_POSTGRES. `scripts/start-postgres.sh stop` stops it.
# Env: PEERGOS_PG_DIR (data dir, default /tmp/peergos-ts-pg), PEERGOS_PG_PORT (default 54329).
set -euo pipefail

PGDIR="${PEERGOS_PG_DIR:-/tmp/peergos-ts-pg}"
PORT="${PEERGOS_PG_PORT:-54329}"
DB="peergos_test"
URL="postgres://postgres@127.0.0.1:${PORT}/${DB}"

find_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  return 1
}

BIN="$(find_bin || true)"
if [ -z "$BIN" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "start-postgres: installing the Debian postgresql package" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2 || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2; }
    BIN="$(find_bin)"
  else
    echo "start-postgres: no Postgres binaries under /usr/lib/postgresql/*/bin (install the postgresql package)" >&2
    exit 1
  fi
fi

# initdb and postgres refuse to run as root: use the postgres system user then.
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$PGDIR" --shell /bin/bash postgres
  as_pg() { su postgres -s /bin/bash -c "$(printf '%q ' "$@")"; }
else
  as_pg() { "$@"; }
fi

if [ "${1:-start}" = "stop" ]; then
  if [ -f "$PGDIR/PG_VERSION" ]; then as_pg "$BIN/pg_ctl" -D "$PGDIR" -m fast -w stop >&2 || true; fi
  exit 0
fi

if [ ! -f "$PGDIR/PG_VERSION" ]; then
  mkdir -p "$PGDIR"
  [ "$(id -u)" = "0" ] && chown postgres: "$PGDIR"
  chmod 700 "$PGDIR"
  # Loopback-only throwaway cluster: trust authentication, no password.
  as_pg "$BIN/initdb" -D "$PGDIR" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2
fi

if ! as_pg "$BIN/pg_ctl" -D "$PGDIR" status >/dev/null 2>&1; then
  as_pg "$BIN/pg_ctl" -D "$PGDIR" -l "$PGDIR/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $PORT -k $PGDIR -c max_connections=200" start >&2
fi

PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAq)
for _ in $(seq 1 50); do
  "${PSQL[@]}" -c 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.2
done
if [ "$("${PSQL[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
  "${PSQL[@]}" -c "CREATE DATABASE $DB" >/dev/null
fi

echo "$URL"
