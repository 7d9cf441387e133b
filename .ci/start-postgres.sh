#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (Debian's packages) on 127.0.0.1:$PGPORT as the postgres user,
# which Debian's server requires, and prints the URL for TEST_DATABASE_URL.
set -euo pipefail
PGPORT=${PGPORT:-55432}
PGDATA=${PGDATA:-/tmp/strongroom-pg}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if ! su postgres -c "$bin/pg_ctl -D $PGDATA status" >/dev/null 2>&1; then
  rm -rf "$PGDATA"
  mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA"
  su postgres -c "$bin/initdb -D $PGDATA -A trust -U postgres --no-sync" >/dev/null
  su postgres -c "$bin/pg_ctl -D $PGDATA -l $PGDATA/server.log -w -o '-c listen_addresses=127.0.0.1 -p $PGPORT -c fsync=off -c unix_socket_directories=/tmp' start" >/dev/null
fi
echo "postgres://postgres@127.0.0.1:$PGPORT/postgres"
