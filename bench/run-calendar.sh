#!/usr/bin/env bash
# A calendar change at a province's scale on PostgreSQL: a throwaway durable cluster filled with a province (bench/Load
# generate), then bench/Load calendar-change adds a day off inside most open requests' counting windows and times,
# with the product's code, the administration's notice preview (every open item in the changed window folded again,
# nothing written) and the recomputation that applying it runs as a background job. Prints figures, asserts nothing
# but that the preview and the recomputation agree on how many due days move.
#   bench/run-calendar.sh [--quick] [--items N] [--departments N] [--day yyyy-MM-dd]
#   --quick: 50 departments, 2,000 items: exercises the harness in under a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
items=1000000 departments=1000 day=2026-12-31
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) items=2000 departments=50 ;;
    --items) items=$2; shift ;;
    --departments) departments=$2; shift ;;
    --day) day=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

. bench/cluster.sh
$host migrate | tail -1
$load generate "$SUPERVISION_DB" "$departments" "$items" 20261122 0 | tail -1
$load calendar-change "$SUPERVISION_DB" "$day" || status=$?
check "history after the recomputation" $host history verify
exit $status
