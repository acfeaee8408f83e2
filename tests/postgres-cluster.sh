#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: private data directory, private socket directory, private port,
# no TCP listener. PostgreSQL refuses to run as root, so as root the cluster runs as the 'postgres' user.
#
#   tests/postgres-cluster.sh start DIR   -> prints the admin connection string on stdout
#   tests/postgres-cluster.sh stop DIR    -> stops the cluster and removes DIR
#   tests/postgres-cluster.sh halt DIR    -> stops the server, keeping its data (an outage, for reliability tests)
#   tests/postgres-cluster.sh resume DIR  -> starts the halted server again on the same socket and port
set -euo pipefail

find_bindir() {
  local dir
  if command -v pg_config >/dev/null 2>&1; then
    dir=$(pg_config --bindir 2>/dev/null || true)
    if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return 0; fi
  return 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:?usage: $0 start|stop|halt|resume DIR}
dir=${2:?usage: $0 start|stop|halt|resume DIR}

case "$cmd" in
  start)
    bindir=$(find_bindir) || { echo "PostgreSQL server binaries (initdb, pg_ctl) not found" >&2; exit 3; }
    version=$("$bindir/postgres" --version | sed -E 's/[^0-9]*([0-9]+).*/\1/')
    if [ "$version" -lt 15 ]; then echo "PostgreSQL $version found; 15 or newer is needed" >&2; exit 3; fi
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    fi
    rm -rf "$dir"
    mkdir -p "$dir/data" "$dir/socket"
    if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; chmod 700 "$dir"; fi
    # Tests trade durability for speed; benchmarks (SUPERVISION_PG_DURABLE=1) keep production settings.
    durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${SUPERVISION_PG_DURABLE:-0}" = 1 ] && durability=""
    # Further server settings for benchmarks, e.g. SUPERVISION_PG_OPTIONS="-c track_commit_timestamp=on".
    durability="$durability ${SUPERVISION_PG_OPTIONS:-}"
    # A free port number (only names the socket file, no TCP listener is opened).
    port=$(( 20000 + RANDOM % 20000 ))
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    options="-p $port -k $dir/socket -c listen_addresses='' $durability -c max_connections=300"
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$options" \
      start >"$dir/pg_ctl.log" 2>&1 || { cat "$dir/pg_ctl.log" "$dir/server.log" >&2; exit 1; }
    echo "$options" >"$dir/options"
    echo "$bindir" >"$dir/bindir"
    echo "$port" >"$dir/port"
    echo "Host=$dir/socket;Port=$port;Username=postgres;Database=postgres;Pooling=true"
    ;;
  stop)
    if [ -f "$dir/bindir" ]; then
      as_owner "$(cat "$dir/bindir")/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  halt)
    as_owner "$(cat "$dir/bindir")/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
    ;;
  resume)
    as_owner "$(cat "$dir/bindir")/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$(cat "$dir/options")" \
      start >"$dir/pg_ctl.log" 2>&1 || { cat "$dir/pg_ctl.log" "$dir/server.log" >&2; exit 1; }
    ;;
  *)
    echo "usage: $0 start|stop|halt|resume DIR" >&2; exit 2 ;;
esac
