#!/usr/bin/env bash
# Usage: scripts/with_postgres.sh CMD [ARGS...]
# Starts a throwaway PostgreSQL server on 127.0.0.1 (free port, data in a temp dir),
# creates database `sanxiang`, runs CMD with DATABASE_URL pointing at it, then stops
# the server and deletes its data whatever CMD did, and exits with CMD's status.
set -euo pipefail

log() { echo "[with_postgres] $*" >&2; }

if [ $# -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  log "ERROR: no PostgreSQL server under /usr/lib/postgresql/*/bin; run scripts/ensure_system_packages.sh"
  exit 1
fi

# initdb refuses to run as root: then the server runs as the `postgres` system user.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id -u postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  fi
  as_pg=(runuser -u postgres --)
  # /tmp, not $TMPDIR: the postgres user must be able to reach the directory.
  pgtmp=$(mktemp -d /tmp/sanxiang-pg.XXXXXX)
  chown postgres: "$pgtmp"
else
  pgtmp=$(mktemp -d "${TMPDIR:-/tmp}/sanxiang-pg.XXXXXX")
fi
pgdata="$pgtmp/data"
pglog="$pgtmp/server.log"

# Run a PostgreSQL program from inside the temp dir (the postgres user may not be
# allowed into the caller's working directory).
pg() { (cd "$pgtmp" && "${as_pg[@]}" "$bindir/$1" "${@:2}"); }

started=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$started" ]; then
    pg pg_ctl -D "$pgdata" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$pgtmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pg initdb -D "$pgdata" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$pgtmp/initdb.log" 2>&1 || {
  cat "$pgtmp/initdb.log" >&2
  log "ERROR: initdb failed"
  exit 1
}

cat >>"$pgdata/postgresql.conf" <<CONF
# throwaway test server: speed over durability
listen_addresses = '127.0.0.1'
unix_socket_directories = '$pgtmp'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Another process may grab the port between picking and binding it: try a few times.
for attempt in 1 2 3; do
  port=$(free_port)
  if pg pg_ctl -D "$pgdata" -l "$pglog" -o "-p $port" -w -t 60 start >/dev/null; then
    started=1
    break
  fi
  log "server did not start on port $port (attempt $attempt)"
  tail -n 20 "$pglog" >&2 || true
done
if [ -z "$started" ]; then
  log "ERROR: could not start PostgreSQL"
  exit 1
fi

for _ in $(seq 1 60); do
  if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then
    break
  fi
  sleep 0.5
done
"$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" || { log "ERROR: server not ready"; exit 1; }

"$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres sanxiang

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/sanxiang"
log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, DATABASE_URL=$DATABASE_URL"

set +e
"$@"
status=$?
set -e
exit "$status"
