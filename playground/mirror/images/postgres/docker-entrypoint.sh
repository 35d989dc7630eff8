#!/usr/bin/env bash
# Entrypoint of Berth's postgres stand-in (see the Dockerfile).
#
# `postgres` (or options alone, which go to postgres): make sure PGDATA holds
# a cluster, creating one on first start, then become the server. Any other
# command (psql, pg_dump, bash) runs as given.
set -Eeo pipefail

me=${0##*/}
say() { printf '%s: %s\n' "$me" "$*"; }
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }

# NAME_FILE names a file holding NAME's value (Docker and Compose secrets);
# setting both is a mistake. Without either, NAME gets the default given.
from_env_or_file() {
    local name=$1 default=${2:-} file_name="$1_FILE"
    local value=${!name:-} file=${!file_name:-}
    if [ -n "$value" ] && [ -n "$file" ]; then
        die "$name and $file_name are both set; give only one of them"
    fi
    if [ -n "$file" ]; then
        [ -r "$file" ] || die "$file_name is $file, which cannot be read"
        value=$(< "$file")
    fi
    export "$name=${value:-$default}"
    unset "$file_name"
}

if [ "${1:0:1}" = - ]; then
    set -- postgres "$@"
fi
if [ "$1" != postgres ]; then
    exec "$@"
fi

export PGDATA=${PGDATA:-/var/lib/postgresql/data}

if [ "$(id -u)" = 0 ]; then
    # As root: give the data and socket directories (perhaps a fresh volume,
    # bind mount or tmpfs) to postgres, then start over as postgres.
    mkdir -p "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA" || :
    chmod 3777 /var/run/postgresql || :
    find "$PGDATA" /var/run/postgresql \! -user postgres -exec chown postgres:postgres '{}' +
    HOME=/var/lib/postgresql exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    from_env_or_file POSTGRES_PASSWORD
    from_env_or_file POSTGRES_USER postgres
    from_env_or_file POSTGRES_DB "$POSTGRES_USER"
    from_env_or_file POSTGRES_INITDB_ARGS
    auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}

    if [ -z "$POSTGRES_PASSWORD" ] && [ "$auth" != trust ]; then
        cat >&2 <<MSG
$me: error: the database is not initialised yet and no superuser password is set.
  Set POSTGRES_PASSWORD to a non-empty password for the "$POSTGRES_USER" superuser,
  for example:  docker run -e POSTGRES_PASSWORD=change-me postgres
  (or POSTGRES_PASSWORD_FILE to a file holding it). To let every client in
  without a password instead, set POSTGRES_HOST_AUTH_METHOD=trust; that is
  unsafe anywhere but a throwaway test.
MSG
        exit 1
    fi
    if [ "$auth" = trust ]; then
        say "warning: POSTGRES_HOST_AUTH_METHOD=trust: any host that reaches port 5432 gets in without a password" >&2
    fi

    say "creating a cluster in $PGDATA for superuser \"$POSTGRES_USER\""
    # initdb's defaults keep connections from inside the container (socket,
    # localhost) passwordless, as in the official image.
    if [ -n "$POSTGRES_PASSWORD" ]; then
        # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS holds several words
        printf '%s\n' "$POSTGRES_PASSWORD" \
            | initdb --username="$POSTGRES_USER" --pwfile=/dev/stdin $POSTGRES_INITDB_ARGS
    else
        # shellcheck disable=SC2086
        initdb --username="$POSTGRES_USER" $POSTGRES_INITDB_ARGS
    fi
    {
        echo
        echo "# Added by $me: every other host signs in with $auth."
        echo "host all all all $auth"
    } >> "$PGDATA/pg_hba.conf"

    # A private server for the set-up: its socket is in a directory only this
    # script knows and it has no TCP port, so neither clients nor health
    # checks (pg_isready) see a server before it is ready.
    sockets=$(mktemp -d)
    pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -c unix_socket_directories=$sockets" start
    export PGHOST=$sockets PGUSER=$POSTGRES_USER PGDATABASE=$POSTGRES_DB
    run_sql() { psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password "$@"; }

    if [ "$POSTGRES_DB" != postgres ]; then
        say "creating database \"$POSTGRES_DB\""
        run_sql --dbname=postgres --set=db="$POSTGRES_DB" <<'SQL'
CREATE DATABASE :"db";
SQL
    fi

    # Scripts run once, in name order, against POSTGRES_DB as POSTGRES_USER.
    for f in /docker-entrypoint-initdb.d/*; do
        [ -e "$f" ] || continue
        case "$f" in
            *.sh)
                if [ -x "$f" ]; then
                    say "running $f"; "$f"
                else
                    say "sourcing $f"; . "$f"
                fi ;;
            *.sql)    say "running $f"; run_sql -f "$f" ;;
            *.sql.gz) say "running $f"; gzip -dc "$f" | run_sql ;;
            *)        say "ignoring $f (not .sh, .sql or .sql.gz)" ;;
        esac
    done

    pg_ctl -D "$PGDATA" -m fast -w stop
    rmdir "$sockets"
    unset PGHOST PGUSER PGDATABASE
    say "set-up done; starting PostgreSQL"
fi

exec "$@"
