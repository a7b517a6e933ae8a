#!/usr/bin/env bash
# make test: every suite, on a throwaway cluster. Exits non-zero if any fails.
#   1. GoogleTest (ctest) for the PostgreSQL-free core
#   2. sqitch deploy -> verify -> revert -> deploy round trip on an empty database
#   3. sqitch deploy + verify of every migration (database woo_test)
#   4. pgTAP suites (pg_prove) against woo_test
#   5. concurrent upserts of the same orders, and races played step by step; make installcheck
#      (pg_regress over test/sql, isolation specs over test/specs)
#   6. woo-load, the bulk loader, end to end; races of the store functions (conversations, charts);
#      the tenant binding behind pgbouncer;
#      the ingestion fuzzer (40 s)
#   7. conformance over ../shared/woocommerce (when present)
#   8. extension upgrade/downgrade path
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

# Conformance over the real payloads in ../shared/woocommerce, when present:
# the files are read here, client-side, into tables the suite reads.
SHARED="$ROOT/../shared/woocommerce"
conformance() {
  local csv="$SHARED/sample_products.csv" n cols
  n=$(head -n 1 "$csv" | awk -F, '{print NF}')
  cols=$(seq -s, -f 'c%g' 1 "$n")
  {
    echo "CREATE TABLE tap.shared_files (name text PRIMARY KEY, body text NOT NULL);"
    for f in "$SHARED"/*.json; do
      printf '\\set body `cat %q`\n' "$f"
      printf "INSERT INTO tap.shared_files VALUES ('%s', :'body');\n" "$(basename "$f")"
    done
    echo "CREATE TEMP TABLE csv_raw (line serial, $(seq -s, -f 'c%g text' 1 "$n"));"
    printf '\\copy csv_raw (%s) FROM %q CSV\n' "$cols" "$csv"
    echo "CREATE TABLE tap.shared_csv_rows AS
          SELECT jsonb_object((SELECT array_agg(regexp_replace(k, '^\\uFEFF', '') ORDER BY i)
                                 FROM unnest((SELECT ARRAY[$cols] FROM csv_raw WHERE line = 1)) WITH ORDINALITY AS h(k, i)),
                              ARRAY[$cols]) AS r
            FROM csv_raw WHERE line > 1;"
    echo "GRANT SELECT ON tap.shared_files, tap.shared_csv_rows TO PUBLIC;"
  } | psql -X -q -v ON_ERROR_STOP=1 -d woo_test &&
    pg_prove --ext .sql -r -d woo_test "$ROOT/conformance"
}

suite "GoogleTest (ctest)" unit_tests
use_cluster test || { echo "could not start the test cluster" >&2; exit 1; }
trap '"$ROOT/scripts/cluster.sh" stop test >/dev/null' EXIT
suite "sqitch round trip (empty cluster)" roundtrip
suite "sqitch deploy + verify" deploy_test_db
suite "pgTAP (pg_prove)" pgtap_suites
concurrency() {
  fresh_db woo_concurrency && sq deploy "$(sqitch_target woo_concurrency)" >/dev/null &&
    "$ROOT/scripts/test-concurrency.sh" woo_concurrency
}
suite "concurrent upserts (no deadlock, no duplicate, no lost link)" concurrency
# make installcheck: pg_regress (test/sql, the SQL API's documented examples) and
# isolationtester (test/specs, two races) against this cluster.
installcheck() {
  PGUSER=postgres make -C "$ROOT" --no-print-directory installcheck ||
    { cat "$ROOT"/build/regress/regression.diffs "$ROOT"/build/isolation/regression.diffs 2>/dev/null | head -n 60; false; }
}
suite "make installcheck (pg_regress, isolation specs)" installcheck
woo_load() {
  fresh_db woo_load && sq deploy "$(sqitch_target woo_load)" >/dev/null &&
    "$ROOT/scripts/test-woo-load.sh" woo_load
}
suite "woo-load (bulk loader)" woo_load
store_races() { fresh_db woo_races && sq deploy "$(sqitch_target woo_races)" >/dev/null && "$ROOT/scripts/test-store-races.sh" woo_races; }
suite "store races (appends to one conversation, chart positions)" store_races
binding() {
  fresh_db woo_binding && sq deploy "$(sqitch_target woo_binding)" >/dev/null &&
    "$ROOT/scripts/test-binding.sh" woo_binding
}
suite "tenant binding ends with its transaction (pgbouncer, transaction mode)" binding
suite "ingestion fuzzer (seeded, 40 s)" "$ROOT/scripts/test-fuzz.sh" woo_fuzz

if [ -d "$SHARED" ]; then
  suite "conformance: ../shared/woocommerce" conformance
else
  echo; echo "=== conformance: skipped ($SHARED not present)"
fi
suite "extension upgrade path" "$ROOT/scripts/test-upgrade.sh"
suite "no backend crashed" assert_no_crash

echo
[ $failed -eq 0 ] || echo "failed suites: ${failures[*]}"
echo "make test: $passed passed, $failed failed"
[ $failed -eq 0 ]
