# Sourced by bench/run-load.sh, bench/run-burst.sh and bench/run-steady.sh (after their options): a throwaway durable
# PostgreSQL cluster with an empty database "load", the published Host and the load tool, removed again on exit.
#   Sets: work, pg_dir, socket, port, runas, host, load, host_pid, SUPERVISION_DB, status=0; defines createdb_load
#   NAME, start_host (the published server on port_http, waiting until it answers), check LABEL COMMAND... (prints
#   the command's last line; a failed check sets status=1) and the EXIT cleanup.
# Reuses an existing publish when given SUPERVISION_PUBLISHED=DIR.
work=$(mktemp -d /tmp/supervision-bench.XXXXXX)
pg_dir=$(mktemp -d /tmp/supervision-bench-pg.XXXXXX)
host_pid=""
cleanup() {
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null && wait "$host_pid" 2>/dev/null || true
  tests/postgres-cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true
  rm -rf "$work" "$pg_dir"
}
trap cleanup EXIT

published=${SUPERVISION_PUBLISHED:-}
if [ -z "$published" ]; then
  published="$work/publish"
  dotnet publish src/Host/Supervision.Host.csproj -c Release -o "$published" -nologo -v quiet
fi
dotnet build bench/Load -c Release -nologo -v quiet
load="dotnet bench/Load/bin/Release/net10.0/Supervision.Bench.Load.dll"
host="dotnet $published/Supervision.Host.dll"

SUPERVISION_PG_DURABLE=1 tests/postgres-cluster.sh start "$pg_dir" >/dev/null
socket="$pg_dir/socket"; port=$(cat "$pg_dir/port")
runas=(); [ "$(id -u)" = 0 ] && runas=(runuser -u postgres --)
createdb_load() {  # name: an empty database, and SUPERVISION_DB pointing at it
  "${runas[@]}" "$(cat "$pg_dir/bindir")/createdb" -h "$socket" -p "$port" -U postgres "$1"
  export SUPERVISION_DB="Host=$socket;Port=$port;Username=postgres;Database=$1;Maximum Pool Size=50"
}
createdb_load load

port_http=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
start_host() {  # the published server on port_http, rate limit lifted, until /health answers
  (cd "$work" && Supervision__RateLimit__PermitsPerMinute=100000000 exec $host --urls "http://127.0.0.1:$port_http" >>"$work/host.log" 2>&1) &
  host_pid=$!
  for _ in $(seq 1 120); do
    $host health --url "http://127.0.0.1:$port_http/health" >/dev/null 2>&1 && return 0
    kill -0 "$host_pid" 2>/dev/null || { cat "$work/host.log"; exit 1; }
    sleep 0.5
  done
}
stop_host() {
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null && wait "$host_pid" 2>/dev/null || true
  host_pid=""
}

status=0
check() {  # label, command: prints the command's last line; a failed check fails the run (status=1)
  local label=$1 out code=0
  shift
  out=$("$@" 2>&1) || code=$?
  echo "== $label: $(echo "$out" | tail -1)"
  [ "$code" -eq 0 ] || status=1
}

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(dotnet --version); $("$(cat "$pg_dir/bindir")/postgres" --version)"
