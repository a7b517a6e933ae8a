#!/usr/bin/env bash
# The ingestion fuzzer (tests/fuzz/fuzz.sql) over the project's fixtures
# (tests/fixtures) and ../shared/woocommerce when present, against database $1
# (created and deployed here) of the current cluster. TAP output; exits
# non-zero on any failed iteration, printing how to replay it.
#   FUZZ_SEED (default 1), FUZZ_SECONDS (default 40), FUZZ_ITERATIONS (default 100000)
#   make fuzz: FUZZ_SECONDS=600 on a cluster of its own
# Deterministic: iteration i of seed s is always the same payloads; replay one with
#   psql -d DB -c "SELECT * FROM fuzz.run(s, i, i)"
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tap.sh"
db=${1:?usage: test-fuzz.sh DBNAME}
seed=${FUZZ_SEED:-1} seconds=${FUZZ_SECONDS:-40} iterations=${FUZZ_ITERATIONS:-100000}
SHARED="$ROOT/../shared/woocommerce"

fresh_db "$db" && sq deploy "$(sqitch_target "$db")" >/dev/null || { echo "Bail out! could not deploy $db"; exit 1; }
files=("$ROOT"/tests/fixtures/woo-load/store/*.json "$ROOT"/tests/fixtures/woo-load/store/orders/*.json)
ndjson=("$ROOT"/tests/fixtures/woo-load/store/*.ndjson "$ROOT"/tests/fixtures/woo-load/bad/*.ndjson)
[ -d "$SHARED" ] && files+=("$SHARED"/*.json)
{
  echo "SET client_min_messages = warning;"
  echo "\\i $ROOT/tests/fuzz/fuzz.sql"
  echo "INSERT INTO public.stores (id, store_url, api_key_hash) VALUES ('f0220000-0000-4000-8000-00000000f022', 'https://fuzz.example', 'x');"
  echo "CREATE TEMP TABLE lines (line text);"
  for f in "${files[@]}"; do
    printf '\\set body `cat %q`\n' "$f"
    echo "SELECT fuzz.add(:'body'::jsonb);"
  done
  for f in "${ndjson[@]}"; do
    printf "\\\\copy lines FROM %q WITH (FORMAT csv, QUOTE E'\\\\x01', DELIMITER E'\\\\x02')\n" "$f"
  done
  echo "SELECT fuzz.add(line::jsonb) FROM lines WHERE btrim(line) <> '';"
} | psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null || { echo "Bail out! could not load the fuzzer or its corpus"; exit 1; }
echo "# corpus: $(psql -X -qAt -d "$db" -c "SELECT string_agg(resource || ' ' || n, ', ' ORDER BY resource) FROM (SELECT resource, count(*) n FROM fuzz.corpus GROUP BY 1) x")"
echo "# seed $seed, at most $iterations iterations or $seconds s"
out=$(psql -X -qAt -F ' ' -v ON_ERROR_STOP=1 -d "$db" -c "SELECT iteration, ok, what FROM fuzz.run($seed, 1, $iterations, $seconds)" 2>&1)
rc=$?
if [ $rc -ne 0 ]; then
  not_ok "the fuzzer's session ended with an error (a crashed backend?)" "$(echo "$out" | tail -n 5)"
  done_testing; exit 1
fi
runs=$(printf '%s\n' "$out" | grep -c ' t ' || true)
bad=$(printf '%s\n' "$out" | grep ' f ' || true)
if [ -z "$bad" ]; then
  ok "$runs iterations (strict, lenient, one at a time, webhooks): no XX000, no partial write, lenient = one at a time, no plaintext e-mail, no rollup drift"
else
  not_ok "$(printf '%s\n' "$bad" | wc -l) failures in $runs iterations" \
    "$(printf '%s\n' "$bad" | head -n 20 | while read -r it _ what; do
         echo "iteration $it: $what  (replay: SELECT * FROM fuzz.run($seed, $it, $it))"; done)"
fi
if [ "$runs" -ge 50 ]; then ok "at least 50 iterations ran ($runs)"; else not_ok "at least 50 iterations ran ($runs)"; fi
done_testing
