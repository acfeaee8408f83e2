#!/usr/bin/env bash
# The whole test suite, both storage providers, on a fresh machine:
#   ./test.sh
# Builds in Release (warnings are errors), starts a throwaway PostgreSQL cluster when the server binaries are
# present, drives the light board in Debian's Chromium (installed under CI), runs every test project against SQLite
# and PostgreSQL, then publishes the Host exactly as the
# Dockerfile does and checks that the published server starts and reports /health on both providers (two
# replicas sharing one PostgreSQL database, as docker/docker-compose.yml runs them).
# Without PostgreSQL the PostgreSQL tests are skipped with a loud notice; under CI=true that is a failure.
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)
# Any CI value but empty, "false" or "0" is CI (CI services set "true", "1" or "yes"): then a missing PostgreSQL or
# Chromium is a failure, never a skip.
case "${CI:-}" in
  ""|false|False|FALSE|0) ci=false ;;
  *) ci=true ;;
esac
artifacts="$root/artifacts"
results="$artifacts/test-results"
rm -rf "$results" && mkdir -p "$results"

say() { printf '\n== %s\n' "$*"; }
banner() {
  printf '\n%s\n' "################################################################################"
  printf '## %s\n' "$@"
  printf '%s\n\n' "################################################################################"
}

# --- PostgreSQL: find it, install it under CI, start a private cluster -------------------------------------------
have_postgres() {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || command -v pg_config >/dev/null 2>&1
}
if ! have_postgres && [ "$ci" = true ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing PostgreSQL (CI)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

pg_dir=""
export SUPERVISION_TEST_PG=""
cleanup() {
  [ -n "${smoke_pids:-}" ] && kill $smoke_pids 2>/dev/null
  [ -n "$pg_dir" ] && tests/postgres-cluster.sh stop "$pg_dir"
}
trap cleanup EXIT
if have_postgres; then
  pg_dir=$(mktemp -d /tmp/supervision-pg.XXXXXX)
  if SUPERVISION_TEST_PG=$(tests/postgres-cluster.sh start "$pg_dir"); then
    export SUPERVISION_TEST_PG
    say "PostgreSQL: throwaway cluster in $pg_dir"
  else
    SUPERVISION_TEST_PG=""
    echo "PostgreSQL binaries were found but the cluster did not start (see above)." >&2
  fi
fi
exclude=()
if [ -z "$SUPERVISION_TEST_PG" ]; then
  if [ "$ci" = true ]; then
    banner "PostgreSQL is not available, and CI=true: the PostgreSQL tests cannot run." \
           "Install PostgreSQL 15+ (Debian: apt-get install postgresql) so that this script can start a cluster."
    echo "tests: 0 passed, 1 failed, 0 skipped"
    exit 1
  fi
  banner "PostgreSQL NOT FOUND: the PostgreSQL tests are SKIPPED (only SQLite is tested)." \
         "Install PostgreSQL 15+ (initdb/pg_ctl) to run them; under CI=true this is a failure."
  exclude+=("Provider!=PostgreSql")
fi

# --- Chromium and a CJK font for the board tests (Debian's packages; a browser is never downloaded) --------------
have_chromium() { [ -x /usr/bin/chromium ]; }
have_cjk_font() { fc-list 2>/dev/null | grep -qi 'wqy\|noto sans cjk'; }
if { ! have_chromium || ! have_cjk_font; } && [ "$ci" = true ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing Chromium and a CJK font (CI)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi
if ! have_chromium; then
  if [ "$ci" = true ]; then
    banner "Chromium is not available, and CI=true: the board's browser tests cannot run." \
           "Install Debian's chromium and fonts-wqy-microhei (apt-get install chromium fonts-wqy-microhei)."
    echo "tests: 0 passed, 1 failed, 0 skipped"
    exit 1
  fi
  banner "Chromium NOT FOUND at /usr/bin/chromium: the board's browser tests are SKIPPED." \
         "Install chromium and fonts-wqy-microhei to run them; under CI=true this is a failure."
  exclude+=("Browser!=Chromium")
fi
# --- LibreOffice Calc and poppler, to print the exports as offices do (Debian's packages) ------------------------------
have_office() { command -v soffice >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; }
if ! have_office && [ "$ci" = true ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing LibreOffice Calc (headless) and poppler-utils (CI)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui poppler-utils >/dev/null
fi
if ! have_office; then
  if [ "$ci" = true ]; then
    banner "LibreOffice (soffice) or poppler-utils is not available, and CI=true: the printed exports cannot be tested." \
           "Install them (apt-get install libreoffice-calc-nogui poppler-utils)."
    echo "tests: 0 passed, 1 failed, 0 skipped"
    exit 1
  fi
  banner "LibreOffice or poppler-utils NOT FOUND: the printed exports' tests are SKIPPED." \
         "Install libreoffice-calc-nogui and poppler-utils to run them; under CI=true this is a failure."
  exclude+=("Requires!=LibreOffice")
fi
# --- The published plan documents the importer is tested on (kept outside the project: ../shared/seed-documents) ---
if [ ! -d "$root/../shared/seed-documents" ]; then
  if [ "$ci" = true ]; then
    banner "../shared/seed-documents is missing, and CI=true: the importer's tests on real plans cannot run."
    echo "tests: 0 passed, 1 failed, 0 skipped"
    exit 1
  fi
  banner "../shared/seed-documents NOT FOUND: the importer's tests on real plan documents are SKIPPED."
  exclude+=("Requires!=SeedDocuments")
fi
# --- Storage faults need a small file system of their own (tmpfs), which only root may mount ----------------------
if [ "$(id -u)" != 0 ]; then
  if [ "$ci" = true ]; then
    banner "Not running as root, and CI=true: the disk-full and read-only disk tests cannot mount their file system."
    echo "tests: 0 passed, 1 failed, 0 skipped"
    exit 1
  fi
  banner "Not root: the disk-full and read-only disk tests (Reliability/StorageFaultTests) are SKIPPED."
  exclude+=("Requires!=Root")
fi
filter=()
left_out_filter=""
if [ ${#exclude[@]} -gt 0 ]; then
  filter=(--filter "$(IFS='&'; echo "${exclude[*]}")")
  # The tests the filter leaves out are those with any of the excluded traits: A!=x&B!=y leaves out A=x|B=y.
  left_out_filter=$(IFS='|'; echo "${exclude[*]//!=/=}")
fi

# --- Build and test ----------------------------------------------------------------------------------------------
say "build (Release)"
dotnet build Supervision.sln -c Release -nologo -v quiet || { echo "tests: 0 passed, 1 failed, 0 skipped"; exit 1; }

say "test"
# A test that hangs fails its project after 20 minutes (the hanging test named in the log) instead of using up CI's time.
dotnet test Supervision.sln -c Release --no-build -nologo "${filter[@]}" \
  --blame-hang-timeout 20m --blame-hang-dump-type none \
  --logger "trx" --results-directory "$results" 2>&1 | tee "$results/console.txt"
test_status=${PIPESTATUS[0]}

passed=0; failed=0; skipped=0
while read -r f p s; do
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
done < <(sed -nE 's/.*(Passed|Failed)!.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \3 \4/p' "$results/console.txt")
if [ "$test_status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
# Tests the filter left out count as skipped, not as nothing: vstest lists the tests a filter selects (one line, indented,
# per test case; a theory whose data is only known when it runs is one case), so list those the filter left out.
left_out=0
if [ -n "$left_out_filter" ]; then
  if listed=$(dotnet test Supervision.sln -c Release --no-build -nologo --list-tests --filter "$left_out_filter" 2>&1); then
    left_out=$(grep -c '^    ' <<<"$listed")
    skipped=$((skipped + left_out))
  else
    printf '%s\n' "$listed" | tail -20
    echo "Could not list the tests the filter left out ($left_out_filter), so the tally below would be wrong." >&2
    failed=$((failed + 1))
  fi
fi

# --- Publish and smoke-test the published server -----------------------------------------------------------------
# The same publish command as docker/Dockerfile.
say "publish"
publish="$artifacts/publish"
rm -rf "$publish"
if dotnet publish src/Host/Supervision.Host.csproj -c Release -o "$publish" -nologo -v quiet; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || echo $((30000 + RANDOM % 20000)); }
smoke_pids=""
# smoke NAME DB REPLICAS: start REPLICAS published servers on DB at once; each must answer /health with 200.
smoke() {
  local name=$1 db=$2 replicas=$3 work ports=() pids=() ok=1 i
  work=$(mktemp -d /tmp/supervision-smoke.XXXXXX)
  for ((i = 0; i < replicas; i++)); do
    ports[i]=$(free_port)
    (cd "$work" && SUPERVISION_DB="$db" exec dotnet "$publish/Supervision.Host.dll" --urls "http://127.0.0.1:${ports[i]}" >"$work/server$i.log" 2>&1) &
    pids[i]=$!
    smoke_pids="$smoke_pids ${pids[i]}"
  done
  for ((i = 0; i < replicas; i++)); do
    local healthy=0 tries
    for tries in $(seq 1 120); do
      if dotnet "$publish/Supervision.Host.dll" health --url "http://127.0.0.1:${ports[i]}/health" >"$work/health$i.txt" 2>&1; then healthy=1; break; fi
      kill -0 "${pids[i]}" 2>/dev/null || break
      sleep 0.5
    done
    if [ "$healthy" = 1 ]; then
      echo "  smoke $name replica $i: $(cat "$work/health$i.txt" | cut -c1-160)"
    else
      ok=0
      echo "  smoke $name replica $i: NOT healthy"; cat "$work/health$i.txt" "$work/server$i.log" | tail -30
    fi
  done
  kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null
  if [ "$ok" = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  rm -rf "$work"
}
if [ -f "$publish/Supervision.Host.dll" ]; then
  say "smoke: published server on SQLite"
  smoke sqlite "Data Source=data/smoke.db" 1
  if [ -n "$SUPERVISION_TEST_PG" ]; then
    say "smoke: two published replicas sharing one PostgreSQL database"
    socket="$pg_dir/socket"; port=$(cat "$pg_dir/port")
    runas=(); [ "$(id -u)" = 0 ] && runas=(runuser -u postgres --)
    "${runas[@]}" "$(cat "$pg_dir/bindir")/createdb" -h "$socket" -p "$port" -U postgres smoke
    smoke postgresql "Host=$socket;Port=$port;Username=postgres;Database=smoke" 2
  fi
fi

# --- The OpenAPI document against a standard linter's recommended rules (Redocly CLI from the npm registry) ---------
if [ -f "$publish/Supervision.Host.dll" ]; then
  say "OpenAPI lint (Redocly CLI, recommended rules)"
  if command -v npx >/dev/null 2>&1; then
    work=$(mktemp -d /tmp/supervision-openapi.XXXXXX); port=$(free_port)
    (cd "$work" && SUPERVISION_DB="Data Source=$work/openapi.db" exec dotnet "$publish/Supervision.Host.dll" --urls "http://127.0.0.1:$port" >"$work/server.log" 2>&1) &
    openapi_pid=$!; smoke_pids="$smoke_pids $openapi_pid"
    for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/openapi/v1.json" -o "$work/openapi.json" && break; sleep 0.5; done
    kill "$openapi_pid" 2>/dev/null; wait "$openapi_pid" 2>/dev/null
    if [ -s "$work/openapi.json" ] && (cd "$work" && npx --yes @redocly/cli@2.77.0 lint openapi.json --format=summary 2>&1 | grep -v '[║╔╚]' | tail -4; exit "${PIPESTATUS[0]}"); then
      passed=$((passed + 1))
    else
      echo "  the OpenAPI document is missing or does not pass the linter (see above)"; failed=$((failed + 1))
    fi
    rm -rf "$work"
  elif [ "$ci" = true ]; then
    echo "  npx (Node.js) is missing, and CI=true: the OpenAPI document cannot be linted"; failed=$((failed + 1))
  else
    banner "npx NOT FOUND: the OpenAPI lint is SKIPPED."; skipped=$((skipped + 1))
  fi
fi

# --- The benchmarks' harnesses, at small scale ---------------------------------------------------------------------
# bench/run-load.sh --quick fills a throwaway PostgreSQL with a small province, starts the published server and
# measures it over HTTP; bench/run-burst.sh --quick times a small midnight burst and its comparison with one Quartz
# trigger per item (and fails if a change is missing or the history or board counts do not verify afterwards);
# bench/run-steady.sh --quick measures change lag under a stream, step completion over HTTP beside pgbench, and the
# nightly overdue run (and fails if a change or a completion is missing or the history does not verify);
# bench/run-calendar.sh --quick times a calendar change's preview and recomputation (and fails if they disagree on
# the due days that move or the history does not verify). They prove
# the harnesses work: no time is asserted. They need PostgreSQL; without it they are skipped like the PostgreSQL tests.
if [ -n "$SUPERVISION_TEST_PG" ] && [ -f "$publish/Supervision.Host.dll" ]; then
  say "bench: load harness, quick"
  if SUPERVISION_PUBLISHED="$publish" bench/run-load.sh --quick; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  say "bench: burst harness, quick"
  if SUPERVISION_PUBLISHED="$publish" bench/run-burst.sh --quick; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  say "bench: steady-state harness, quick"
  if SUPERVISION_PUBLISHED="$publish" bench/run-steady.sh --quick; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  say "bench: calendar change harness, quick"
  if SUPERVISION_PUBLISHED="$publish" bench/run-calendar.sh --quick; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi

# --- Summary -----------------------------------------------------------------------------------------------------
if [ -z "$SUPERVISION_TEST_PG" ]; then
  banner "REMINDER: PostgreSQL tests were SKIPPED on this machine (no PostgreSQL server binaries)."
fi
if [ "$left_out" -gt 0 ]; then
  banner "$left_out tests left out by the filter (${filter[1]}): counted as skipped."
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
