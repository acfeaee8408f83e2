#!/usr/bin/env bash
# Storage benchmark on both providers; figures go to docs/benchmarks.md by hand, with the date and machine.
#   bench/run.sh [items]
set -euo pipefail
cd "$(dirname "$0")/.."
items=${1:-20000}
mkdir -p artifacts/bench
rm -f artifacts/bench/storage.db*
dotnet build bench/Storage -c Release -nologo -v quiet
echo "## SQLite"
dotnet bench/Storage/bin/Release/net10.0/Supervision.Bench.Storage.dll "Data Source=artifacts/bench/storage.db" "$items"
pg_dir=$(mktemp -d /tmp/supervision-pg.XXXXXX)
trap 'tests/postgres-cluster.sh stop "$pg_dir"' EXIT
if pg=$(SUPERVISION_PG_DURABLE=1 tests/postgres-cluster.sh start "$pg_dir"); then
  echo "## PostgreSQL"
  dotnet bench/Storage/bin/Release/net10.0/Supervision.Bench.Storage.dll "$pg" "$items"
else
  echo "PostgreSQL not available: skipped"
fi
