#!/bin/sh
# Entrypoint of Berth's redis stand-in (see the Dockerfile).
set -e

# Options or a configuration file alone are arguments for redis-server.
case "$1" in
    -*|*.conf) set -- redis-server "$@" ;;
esac

if [ "$1" = redis-server ]; then
    if [ "$(id -u)" = 0 ]; then
        # The server writes in the working directory (/data) as `redis`:
        # hand it what a volume or bind mount brought in, then drop root.
        find . \! -user redis -exec chown redis:redis '{}' +
        exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
    fi
    # Debian's build turns protected mode on by default, which refuses every
    # other container when no password is set; the official image's build
    # turns it off. Without a configuration file, do the same: options given
    # after it (`--protected-mode yes`) still win. A configuration file
    # decides for itself.
    case "$2" in
        ''|-*) shift; set -- redis-server --protected-mode no "$@" ;;
    esac
    # Data files readable by the redis user only, unless a umask was chosen.
    if [ "$(umask)" = 0022 ]; then
        umask 0077
    fi
fi

exec "$@"
