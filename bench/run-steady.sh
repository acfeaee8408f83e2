#!/usr/bin/env bash
# Steady-state figures on PostgreSQL at a million open items, on a throwaway durable cluster filled by bench/Load
# generate (with STREAM requests stored stale, to change light one after another):
#   1. change lag: STREAM light changes spread evenly at RATE a second while the published Host runs; for each, the
#      time from its computed instant to the commit of its recorded change (track_commit_timestamp);
#   2. step completion over HTTP (accepting disclosure requests at review, one POST each) at each number of concurrent
#      clients in CLIENTS ("4 8 16"), each followed by pgbench's simple-update (-N) on the same cluster with the same
#      number of clients while the Host is idle, for the ratio;
#   3. the nightly overdue run (CLI 'overdue run', as the Quartz job runs it) over every overdue assignment, twice:
#      the second run finds everything written and writes nothing.
# Prints figures, asserts nothing.
#   bench/run-steady.sh [--quick] [--items N] [--departments N] [--stream N] [--rate N] [--requests N] [--clients "N M ..."] [--runs N]
#   --quick: 50 departments, 2,000 items, a stream of 200 at 100/s, 300 completions: the harness itself in about a minute.
# Reuses an existing publish when given SUPERVISION_PUBLISHED=DIR (see bench/cluster.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
items=1000000 departments=1000 stream=30000 rate=500 requests=5000 clients="4 8 16" runs=3 seconds=20
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) items=2000 departments=50 stream=200 rate=100 requests=100 clients=4 runs=1 seconds=3 ;;
    --items) items=$2; shift ;;
    --departments) departments=$2; shift ;;
    --stream) stream=$2; shift ;;
    --rate) rate=$2; shift ;;
    --requests) requests=$2; shift ;;
    --clients) clients=$2; shift ;;
    --runs) runs=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

SUPERVISION_PG_OPTIONS="-c track_commit_timestamp=on" . bench/cluster.sh
$host migrate | tail -1
$load generate "$SUPERVISION_DB" "$departments" "$items" 20261122 "$stream"
# Someone to act (a lead of the top office may act on every department's steps) and a supervising office to tell.
$host users add --name bench-lead --role lead --department 省政府办公厅 >/dev/null
$host users add --name bench-supervisor --role supervisor --department 省政府办公厅 >/dev/null
token=$($host tokens create --user bench-lead | tail -1)
$load burst-park "$SUPERVISION_DB" "$stream" >/dev/null
start_host
url="http://127.0.0.1:$port_http"
status=0

echo "== change lag under a steady stream of $stream light changes at $rate/s"
$load stream "$SUPERVISION_DB" "$stream" "$rate" || status=$?

# pgbench's own tables in their own database on the same cluster, for the simple-update figure beside each HTTP one.
pgbench=("${runas[@]}" "$(cat "$pg_dir/bindir")/pgbench" -h "$socket" -p "$port" -U postgres)
"${runas[@]}" "$(cat "$pg_dir/bindir")/createdb" -h "$socket" -p "$port" -U postgres pgbench
"${pgbench[@]}" -i -q -s 10 pgbench >/dev/null 2>&1
for c in $clients; do
  echo "== step completion over HTTP, $c clients, $runs run(s) of $requests; then pgbench simple-update (-N), $c clients, $seconds s"
  $load complete "$url" "$token" "$SUPERVISION_DB" "$requests" "$c" "$runs" "$stream" | tail -1 || status=1
  "${pgbench[@]}" -N -M prepared -c "$c" -j "$(( c < 2 ? c : 2 ))" -T "$seconds" pgbench 2>/dev/null | grep -E "^(tps|latency average)" | tr '\n' ' ' || status=1
  echo
done
echo "== Host memory after the completions: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$host_pid/status 2>/dev/null || echo unknown) RSS"
stop_host

check "overdue assignments" "${runas[@]}" "$(cat "$pg_dir/bindir")/psql" -h "$socket" -p "$port" -U postgres -d load -Atc \
  "SELECT count(*) || ' open, running, red; ' || count(*) FILTER (WHERE seriously_overdue) || ' seriously' FROM assignments WHERE closed_at IS NULL AND light = 'red' AND NOT paused"
check "nightly overdue run" $host overdue run
check "nightly overdue run again" $host overdue run
check "history after the run" $host history verify
check "board counts after the run" $host board verify
exit "$status"
