#!/usr/bin/env bash
# The midnight burst on PostgreSQL: a throwaway durable cluster filled with a province (bench/Load generate) in which
# BURST disclosure requests change light at one instant that has just passed (stored as computed just before it), as
# at local midnight; then the published Host starts and bench/Load burst-wait times how long it takes until every one
# of them is recorded (history entry, new light, next instant) and its notices are written.
# Prints figures, asserts nothing.
# Then the comparison, in the same run: a smaller burst (--compare N, default 2,000) in a fresh database processed
# once by one Quartz trigger per item (bench/Load quartz-per-item: Quartz's clustered PostgreSQL job store, each job
# recomputing its item in its own transaction with the product's code), twice by one Hangfire delayed job per item
# (bench/Load hangfire-per-item: Hangfire.PostgreSql in its own schema, the default 15 s schedule polling, then 1 s),
# and once by the Host's batches.
#   bench/run-burst.sh [--quick] [--items N] [--burst N] [--departments N] [--compare N]
#   --quick: 50 departments, 2,000 items, a burst of 500, a comparison of 200: exercises the harness in about a minute.
# Reuses an existing publish when given SUPERVISION_PUBLISHED=DIR (see bench/cluster.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
items=1000000 departments=1000 burst=100000 compare=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) items=2000 departments=50 burst=500 compare=200 ;;
    --items) items=$2; shift ;;
    --burst) burst=$2; shift ;;
    --departments) departments=$2; shift ;;
    --compare) compare=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

. bench/cluster.sh
$host migrate | tail -1
$load generate "$SUPERVISION_DB" "$departments" "$items" 20261122 "$burst"

# The Host is started and idle first (the burst items are moved ahead before it looks), then the burst happens.
$load burst-park "$SUPERVISION_DB" "$burst" >/dev/null
start_host
status=0
$load burst-wait "$SUPERVISION_DB" "$burst" 10 || status=$?
check "history after the burst" $host history verify
check "board counts after the burst" $host board verify
stop_host

echo "== comparison: a burst of $compare, one Quartz trigger per item, one Hangfire delayed job per item (default and 1 s schedule polling), then the Host's batches"
for design in quartz hangfire hangfire-1s batches; do
  createdb_load "compare_$design"
  $host migrate >/dev/null
  $load generate "$SUPERVISION_DB" 50 $((compare * 2)) 20261122 "$compare" >/dev/null 2>&1
  if [ "$design" = quartz ]; then
    $load quartz-per-item "$SUPERVISION_DB" "$compare" || status=$?
  elif [ "$design" = hangfire ]; then
    $load hangfire-per-item "$SUPERVISION_DB" "$compare" || status=$?
  elif [ "$design" = hangfire-1s ]; then
    $load hangfire-per-item "$SUPERVISION_DB" "$compare" 1 || status=$?
  else
    $load burst-park "$SUPERVISION_DB" "$compare" >/dev/null
    start_host
    $load burst-wait "$SUPERVISION_DB" "$compare" 10 || status=$?
    stop_host
  fi
  check "$design: history" $host history verify
done
exit "$status"
