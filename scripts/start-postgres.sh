#!/usr/bin/env bash
# A throwaway PostgreSQL server for the distributed-tuning tests (and for trying
# tune(storage="postgresql+psycopg2://...") by hand).
#
#   scripts/start-postgres.sh --install   install the Debian package if missing (root + apt-get)
#   scripts/start-postgres.sh             install if missing, then start a server and print
#                                         URL=..., NOPERM_URL=..., DATA=..., STOP=... lines
#
# The server listens on 127.0.0.1 only, on a free port, with its data directory
# and socket in a new folder under /tmp; `eval "$STOP"` stops it and removes the
# folder. It has two roles: `tsforecast` (owns database `tsforecast`) and
# `noperm` (may log in, may not create tables), both without password (trust on
# loopback: a test server, never expose it).
set -euo pipefail

find_bin() {  # the server's own bin folder (Debian keeps it off PATH), else PATH
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  if command -v pg_ctl >/dev/null 2>&1; then
    dir=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
    [ -x "$dir/initdb" ] && [ -x "$dir/psql" ] && { echo "$dir"; return 0; }
  fi
  return 1
}

install() {
  find_bin >/dev/null && return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing PostgreSQL with apt-get..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) \
      >/dev/null
    find_bin >/dev/null && return 0
  fi
  echo "PostgreSQL is not installed and cannot be installed here (needs root and apt-get):" \
       "install it with 'sudo apt-get install postgresql'." >&2
  return 1
}

if [ "${1:-}" = "--install" ]; then  # for `make system-deps`: never fails, tests then say why
  install || true
  exit 0
fi
install

BIN=$(find_bin)
DATA=$(mktemp -d /tmp/tsforecast-pg.XXXXXX)
chmod 755 "$DATA"
AS=()
if [ "$(id -u)" = "0" ]; then  # PostgreSQL refuses to run as root
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$DATA"
  AS=(runuser -u postgres --)
fi
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

"${AS[@]}" "$BIN/initdb" -D "$DATA/db" -U tsforecast -A trust >"$DATA/initdb.log" 2>&1 || {
  cat "$DATA/initdb.log" >&2; exit 1; }
"${AS[@]}" "$BIN/pg_ctl" -D "$DATA/db" -l "$DATA/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off" start >/dev/null || {
  cat "$DATA/server.log" >&2; exit 1; }
PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U tsforecast -v ON_ERROR_STOP=1 -q)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE tsforecast" \
  -c "CREATE ROLE noperm LOGIN"
# PostgreSQL 15 already denies CREATE on schema public to other roles; say it anyway.
"${PSQL[@]}" -d tsforecast -c "REVOKE CREATE ON SCHEMA public FROM PUBLIC"

echo "URL=postgresql+psycopg2://tsforecast@127.0.0.1:$PORT/tsforecast"
echo "NOPERM_URL=postgresql+psycopg2://noperm@127.0.0.1:$PORT/tsforecast"
echo "DATA=$DATA"
echo "STOP=${AS[*]} $BIN/pg_ctl -D $DATA/db -m immediate -w stop >/dev/null; rm -rf $DATA"
