#!/usr/bin/env bash
# Whole-system figures on PostgreSQL: fill a throwaway durable cluster with a province (bench/Load generate), start the
# published Host on it, and measure the board summary and item lists over HTTP from a second process on loopback.
# Prints figures, asserts nothing; copy them into docs/benchmarks.md with the date and machine.
#   bench/run-load.sh [--quick] [--items N] [--departments N] [--requests N] [--runs N]
#   Each figure: N runs (default 3) of the given requests with one client, then with four; medians and spreads.
#   --quick: 50 departments, 2,000 items, 200 requests per figure: exercises the harness in under a minute (CI runs it).
# Reuses an existing publish in artifacts/publish when given SUPERVISION_PUBLISHED=DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
items=1000000 departments=1000 requests=2000 runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) items=2000 departments=50 requests=200 runs=1 ;;
    --items) items=$2; shift ;;
    --departments) departments=$2; shift ;;
    --requests) requests=$2; shift ;;
    --runs) runs=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

work=$(mktemp -d /tmp/supervision-load.XXXXXX)
pg_dir=$(mktemp -d /tmp/supervision-load-pg.XXXXXX)
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

admin=$(SUPERVISION_PG_DURABLE=1 tests/postgres-cluster.sh start "$pg_dir")
socket="$pg_dir/socket"; port=$(cat "$pg_dir/port")
runas=(); [ "$(id -u)" = 0 ] && runas=(runuser -u postgres --)
"${runas[@]}" "$(cat "$pg_dir/bindir")/createdb" -h "$socket" -p "$port" -U postgres load
export SUPERVISION_DB="Host=$socket;Port=$port;Username=postgres;Database=load;Maximum Pool Size=50"
: "$admin"

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(dotnet --version); $("$(cat "$pg_dir/bindir")/postgres" --version)"
$host migrate | tail -1
$load generate "$SUPERVISION_DB" "$departments" "$items"
$host users add --name bench --role supervisor --department 省政府办公厅 >/dev/null
token=$($host tokens create --user bench | tail -1)

port_http=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
(cd "$work" && Supervision__RateLimit__PermitsPerMinute=100000000 exec $host --urls "http://127.0.0.1:$port_http" >"$work/host.log" 2>&1) &
host_pid=$!
for _ in $(seq 1 120); do
  $host health --url "http://127.0.0.1:$port_http/health" >/dev/null 2>&1 && break
  kill -0 "$host_pid" 2>/dev/null || { cat "$work/host.log"; exit 1; }
  sleep 0.5
done

url="http://127.0.0.1:$port_http"
echo "== board counts agree with a recount: $($host board verify 2>&1 | tail -1)"
echo "== HTTP from a second process on loopback, after 50 warm-up requests; $runs run(s) per figure, 1 then 4 clients"
for path in "/api/board" "/api/board?kind=task" \
            "/api/items?light=red&open=true&pageSize=50" \
            "/api/items?department={0}&subtree=true&open=true&pageSize=50" \
            "/api/items?department={0}&light=red&open=true&pageSize=50"; do
  for clients in 1 4; do
    $load http "$url" "$token" "$path" "$requests" "$clients" "$departments" "$runs" | tail -1
  done
done
# A board filter that is not kept counts from the assignments: a tenth of the requests, one run.
$load http "$url" "$token" "/api/board?kind=task&dueWithin=5" $(( (requests + 9) / 10 )) 4 "$departments" 1 | tail -1
echo "== Host memory after the run: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$host_pid/status 2>/dev/null || echo unknown) RSS"
