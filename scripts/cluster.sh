#!/usr/bin/env bash
# Private, throwaway PostgreSQL 15 clusters for demo, test and bench.
#
#   scripts/cluster.sh start NAME   (re)creates and starts cluster NAME from scratch
#   scripts/cluster.sh stop NAME    stops it (the data stays until the next start)
#   scripts/cluster.sh env NAME     prints PGHOST/PGPORT/PGUSER exports for it
#
# Each cluster lives in .pg/NAME (or a private /tmp directory when the checkout
# is not reachable by the server's OS user), listens only on a Unix socket in
# that directory, on its own port, and preloads pg_woocommerce. As root the
# server runs as the unprivileged "postgres" OS user (initdb refuses root).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-$(command -v /usr/lib/postgresql/15/bin/pg_config || command -v pg_config)}
PGBIN=${PGBIN:-$("$PG_CONFIG" --bindir)}

cmd=${1:?usage: cluster.sh start|stop|env NAME}
name=${2:?usage: cluster.sh start|stop|env NAME}
case "$name" in
  demo) port=${WOO_PORT:-54320} ;;
  test) port=${WOO_PORT:-54321} ;;
  bench) port=${WOO_PORT:-54322} ;;
  *) port=${WOO_PORT:?set WOO_PORT for cluster $name} ;;
esac

as_server() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The server's OS user must be able to reach the directory, and a Unix socket
# path must stay under 108 bytes.
base="$ROOT/.pg"
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$ROOT"; then
  base="/tmp/pg_woocommerce-$(printf %s "$ROOT" | cksum | cut -d' ' -f1)"
fi
dir="$base/$name"
[ ${#dir} -le 80 ] || { base="/tmp/pg_woocommerce-$(printf %s "$ROOT" | cksum | cut -d' ' -f1)"; dir="$base/$name"; }
data="$dir/data"

running() { [ -f "$data/postmaster.pid" ] && as_server "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1; }

case "$cmd" in
  start)
    if running; then as_server "$PGBIN/pg_ctl" -D "$data" stop -m fast >/dev/null; fi
    rm -rf "$dir"
    mkdir -p "$dir"
    chmod 1777 "$base" "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_server "$PGBIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = ''
port = $port
unix_socket_directories = '$dir'
shared_preload_libraries = 'pg_woocommerce'
timezone = 'UTC'
log_timezone = 'UTC'
shared_buffers = '512MB'
max_wal_size = '4GB'
CONF
    if [ "$name" = test ]; then
      printf '%s\n' "fsync = off" "synchronous_commit = off" "full_page_writes = off" >>"$data/postgresql.conf"
    fi
    as_server "$PGBIN/pg_ctl" -D "$data" -l "$dir/server.log" -w start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    echo "cluster $name: PostgreSQL $("$PGBIN/postgres" -V | awk '{print $3}') on socket $dir port $port"
    ;;
  stop)
    if running; then as_server "$PGBIN/pg_ctl" -D "$data" stop -m fast >/dev/null; echo "cluster $name stopped"; else echo "cluster $name is not running"; fi
    ;;
  env)
    printf 'export PGHOST=%q PGPORT=%q PGUSER=postgres WOO_CLUSTER_DIR=%q WOO_SERVER_LOG=%q\n' "$dir" "$port" "$dir" "$dir/server.log"
    ;;
  *) echo "usage: cluster.sh start|stop|env NAME" >&2; exit 2 ;;
esac
