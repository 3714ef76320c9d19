#!/bin/sh
# The official postgres image's first start, in short: as root, hand PGDATA to the postgres user;
# on an empty PGDATA, initdb with POSTGRES_USER and POSTGRES_PASSWORD, allow connections from
# other containers with POSTGRES_HOST_AUTH_METHOD, create POSTGRES_DB; then run the server.
set -eu

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  install -d -o postgres -g postgres -m 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  user=${POSTGRES_USER:-postgres}
  database=${POSTGRES_DB:-$user}
  auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
    echo "error: set POSTGRES_PASSWORD, or POSTGRES_HOST_AUTH_METHOD=trust" >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
  initdb --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host="$auth" >/dev/null
  rm -f "$pwfile"
  echo "host all all all $auth" >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  # Set-up on the Unix socket only, so that nobody connects before it is done.
  pg_ctl --pgdata="$PGDATA" --options="-c listen_addresses=''" --wait --silent start
  if [ "$database" != postgres ]; then
    psql --quiet --username="$user" --dbname=postgres --set=ON_ERROR_STOP=1 \
      --command="CREATE DATABASE \"$database\""
  fi
  pg_ctl --pgdata="$PGDATA" --mode=fast --wait --silent stop
  echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"
