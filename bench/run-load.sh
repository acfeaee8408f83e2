#!/usr/bin/env bash
# Whole-system figures on PostgreSQL: fill a throwaway durable cluster with a province (bench/Load generate), start the
# published Host on it, and measure the board summary and item lists over HTTP from a second process on loopback.
# Prints figures, asserts nothing; copy them into docs/benchmarks.md with the date and machine.
#   bench/run-load.sh [--quick] [--items N] [--departments N] [--requests N] [--runs N]
#   Each figure: N runs (default 3) of the given requests with one client, then with four; medians and spreads.
#   --quick: 50 departments, 2,000 items, 200 requests per figure: exercises the harness in under a minute (CI runs it).
# Reuses an existing publish when given SUPERVISION_PUBLISHED=DIR (see bench/cluster.sh).
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

. bench/cluster.sh
$host migrate | tail -1
$load generate "$SUPERVISION_DB" "$departments" "$items"
$host users add --name bench --role supervisor --department 省政府办公厅 >/dev/null
token=$($host tokens create --user bench | tail -1)

start_host

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
# Each person's own work (/api/my/work, issue 23) for a bureau's handler (most open items are theirs to act on: the
# first 100 rows answer) and lead (few are: up to 500 candidates looked at), the bureau holding a thousandth of the items.
$host users add --name bench-handler --role handler --department 第1市第1局 >/dev/null
$host users add --name bench-lead --role lead --department 第1市第1局 >/dev/null
handler=$($host tokens create --user bench-handler | tail -1)
lead=$($host tokens create --user bench-lead | tail -1)
for who in handler lead; do
  for clients in 1 4; do
    echo -n "$who: "
    $load http "$url" "${!who}" "/api/my/work" $(( (requests + 9) / 10 )) "$clients" "$departments" "$runs" | tail -1
  done
done
echo "== Host memory after the run: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$host_pid/status 2>/dev/null || echo unknown) RSS"
