#!/usr/bin/env bash
# make test: every suite, on a throwaway cluster. Exits non-zero if any fails.
#   1. GoogleTest (ctest) for the PostgreSQL-free core
#   2. sqitch deploy -> verify -> revert -> deploy round trip on an empty database
#   3. sqitch deploy + verify of every migration (database woo_test)
#   4. pgTAP suites (pg_prove) against woo_test
#   5. extension upgrade/downgrade path
# The extension must be built and installed first (the Makefile does that).
set -uo pipefail
source "$(dirname "$0")/lib.sh"

passed=0 failed=0 failures=()
suite() {  # suite NAME COMMAND...
  local name=$1; shift
  echo; echo "=== $name"
  if "$@"; then passed=$((passed + 1)); echo "=== $name: PASS"
  else failed=$((failed + 1)); failures+=("$name"); echo "=== $name: FAIL"; fi
}

unit_tests() {
  cmake -S "$ROOT" -B "$ROOT/build/cmake" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
    cmake --build "$ROOT/build/cmake" -j2 >/dev/null &&
    (cd "$ROOT/build/cmake" && ctest --output-on-failure --no-tests=error)
}

deploy_test_db() {
  fresh_db woo_test &&
    psql -X -q -v ON_ERROR_STOP=1 -d woo_test \
      -c 'CREATE SCHEMA tap' -c 'CREATE EXTENSION pgtap SCHEMA tap' -c 'GRANT USAGE ON SCHEMA tap TO PUBLIC' \
      -c 'ALTER DATABASE woo_test SET search_path = "$user", public, tap' &&
    sq deploy --verify "$(sqitch_target woo_test)" &&
    sq verify "$(sqitch_target woo_test)"
}

pgtap_suites() {
  local n
  n=$(find "$ROOT/pgtap" -name '*.sql' | wc -l)
  [ "$n" -gt 0 ] || { echo "no pgTAP files found" >&2; return 1; }
  pg_prove --ext .sql -r -d woo_test "$ROOT/pgtap"
}

roundtrip() {
  "$ROOT/scripts/test-roundtrip.sh" woo_roundtrip &&
    psql -X -q -d postgres -c "DROP DATABASE woo_roundtrip"
}

suite "GoogleTest (ctest)" unit_tests
use_cluster test || { echo "could not start the test cluster" >&2; exit 1; }
trap '"$ROOT/scripts/cluster.sh" stop test >/dev/null' EXIT
suite "sqitch round trip (empty cluster)" roundtrip
suite "sqitch deploy + verify" deploy_test_db
suite "pgTAP (pg_prove)" pgtap_suites
suite "extension upgrade path" "$ROOT/scripts/test-upgrade.sh"
suite "no backend crashed" assert_no_crash

echo
[ $failed -eq 0 ] || echo "failed suites: ${failures[*]}"
echo "make test: $passed passed, $failed failed"
[ $failed -eq 0 ]
