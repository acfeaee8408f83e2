#!/usr/bin/env bash
# Deadline arithmetic throughput on one core (BenchmarkDotNet, pinned to CPU 0 with --affinity 1).
#   bench/run-deadlines.sh [extra BenchmarkDotNet arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/Deadlines -- --filter '*' --affinity 1 --join "$@"
