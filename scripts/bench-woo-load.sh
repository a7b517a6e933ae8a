#!/usr/bin/env bash
# Benchmark of woo-load, the bulk loader (not a test: nothing here asserts a time).
# BENCH_ORDERS generated orders (default 100,000; scripts/gen-orders.sh, NDJSON) are loaded
# into an empty store, as the login woo_loader_bench (a member of woo_app), three ways:
#   1. psql, the baseline: the same batches of 100, one transaction each
#      (BEGIN; SELECT woo.set_store(..); SELECT woo.upsert_orders(.., $woo$[...]$woo$::jsonb); COMMIT;),
#      a generated script run with psql -f
#   2. woo-load --jobs 1
#   3. woo-load --jobs 2
# and a table prints each one's wall time, orders/s and speed-up over psql.
#
# Every method starts from the same database: a template (every migration deployed, the
# same orders already loaded into another store, analysed) is copied for each run
# (CREATE DATABASE ... TEMPLATE, STRATEGY FILE_COPY), so no method inherits the dead rows,
# statistics or cache of the one before, whatever order they run in. Into tables that are
# empty, every loader is slowed by plans made for empty tables until autovacuum first
# analyses them, and when that happens varies from run to run: hence the orders already in.
#
#   scripts/bench-woo-load.sh                    starts its own cluster (bench, port 54322, as
#                                                make bench does) and stops it afterwards
#   scripts/bench-woo-load.sh --current-cluster  uses the running cluster of PGHOST/PGPORT/PGUSER
#                                                (a superuser), e.g. from bench.sh; its databases
#                                                woo_bench_load* are created and dropped
#
# BENCH_ORDERS=10000 for a quick run; BENCH_BATCH (default 100) for the batch size;
# WOO_LOAD for the binary (default: the installed $(pg_config --bindir)/woo-load).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${BENCH_ORDERS:-100000}
BATCH=${BENCH_BATCH:-100}
WOO_LOAD=${WOO_LOAD:-$("$PG_CONFIG" --bindir)/woo-load}
case "$WOO_LOAD" in /*) ;; */*) WOO_LOAD=$PWD/$WOO_LOAD ;; esac
[ -x "$WOO_LOAD" ] || { echo "woo-load not found or not executable: $WOO_LOAD (make install, or set WOO_LOAD)" >&2; exit 1; }
LOGIN=woo_loader_bench
TEMPLATE=woo_bench_load
TEMPLATE_FRESH=woo_bench_load_fresh                # freshly deployed, never analysed, autovacuum off
RUN_DB=woo_bench_load_run
STORE_WARM=b0000000-0000-4000-8000-0000000000b0   # the orders already in
STORE=b0000000-0000-4000-8000-0000000000b1        # the store each method loads into

tmp=$(mktemp -d /tmp/bench-woo-load.XXXXXX)
own_cluster=
drop_dbs() {
  psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $RUN_DB WITH (FORCE)" \
       -c "DROP DATABASE IF EXISTS $TEMPLATE WITH (FORCE)" -c "DROP DATABASE IF EXISTS $TEMPLATE_FRESH WITH (FORCE)" \
       -c "DROP ROLE IF EXISTS $LOGIN"
}
cleanup() {
  drop_dbs >/dev/null 2>&1 || true
  rm -rf "$tmp"
  if [ -n "$own_cluster" ]; then "$ROOT/scripts/cluster.sh" stop "$own_cluster" >/dev/null; fi
  return 0
}
trap cleanup EXIT

case "${1:-}" in
  --current-cluster) psql -X -q -d postgres -c 'SELECT 1' >/dev/null ;;
  "") own_cluster=${BENCH_CLUSTER:-bench}; use_cluster "$own_cluster" ;;
  *) echo "usage: bench-woo-load.sh [--current-cluster]" >&2; exit 2 ;;
esac
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

# The template: deployed, the login, two stores, N orders in the first one.
drop_dbs >/dev/null
fresh_db "$TEMPLATE"
sq deploy "$(sqitch_target "$TEMPLATE")" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$TEMPLATE" <<SQL
CREATE ROLE $LOGIN LOGIN IN ROLE woo_app;
INSERT INTO public.stores (id, store_url, api_key_hash) VALUES
  ('$STORE_WARM', 'https://bench-load-warm.example', 'x'),
  ('$STORE', 'https://bench-load.example', 'x');
SQL

# The never-analysed template: deployed, the two stores, nothing else; autovacuum off for the
# ingestion's tables, so that nothing analyses them during the run.
fresh_db "$TEMPLATE_FRESH"
sq deploy "$(sqitch_target "$TEMPLATE_FRESH")" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$TEMPLATE_FRESH" <<SQL
INSERT INTO public.stores (id, store_url, api_key_hash) VALUES
  ('$STORE_WARM', 'https://bench-load-warm.example', 'x'),
  ('$STORE', 'https://bench-load.example', 'x');
ALTER TABLE public.orders SET (autovacuum_enabled = false);
ALTER TABLE public.order_items SET (autovacuum_enabled = false);
ALTER TABLE public.customers SET (autovacuum_enabled = false);
ALTER TABLE public.products SET (autovacuum_enabled = false);
SQL

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), PostgreSQL $(q postgres 'SHOW server_version')"
start=$(date +%s%N)
PGDATABASE=$TEMPLATE "$ROOT/scripts/gen-orders.sh" "$N" 1 >"$tmp/orders.ndjson"
echo "generated $N orders ($(( $(stat -c %s "$tmp/orders.ndjson") / 1048576 )) MiB of NDJSON) in $(( ($(date +%s%N) - start) / 1000000 )) ms"

# batches_sql STORE: the orders on stdin as psql sends them, BATCH per transaction.
batches_sql() {
  awk -v store="$1" -v batch="$BATCH" '
    function flush() { if (n > 0) { printf "BEGIN;\nSELECT woo.set_store(\x27%s\x27);\nSELECT woo.upsert_orders(\x27%s\x27, $woo$[%s]$woo$::jsonb);\nCOMMIT;\n", store, store, buf; n = 0; buf = "" } }
    BEGIN { print "\\set ON_ERROR_STOP on" }
    { buf = (n == 0 ? $0 : buf "," $0); n++; if (n == batch) flush() }
    END { flush() }'
}
batches_sql "$STORE" <"$tmp/orders.ndjson" >"$tmp/baseline.sql"

echo "template: the same $N orders into another store (not timed) ..."
start=$(date +%s%N)
head -n 1000 "$tmp/orders.ndjson" | batches_sql "$STORE_WARM" | psql -X -q -d "$TEMPLATE" -U "$LOGIN" -f - >/dev/null
q "$TEMPLATE" "ANALYZE" >/dev/null   # plans for tables that are no longer empty, from the start
tail -n +1001 "$tmp/orders.ndjson" | batches_sql "$STORE_WARM" | psql -X -q -d "$TEMPLATE" -U "$LOGIN" -f - >/dev/null
q "$TEMPLATE" "VACUUM ANALYZE" >/dev/null
echo "  done in $(( ($(date +%s%N) - start) / 1000000 )) ms"

results=()
# timed LABEL COMMAND...: a fresh copy of the template, COMMAND timed, the orders it left checked.
timed() {
  local label=$1; shift
  psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $RUN_DB WITH (FORCE)" \
       -c "CREATE DATABASE $RUN_DB TEMPLATE ${TPL:-$TEMPLATE} STRATEGY FILE_COPY" -c "CHECKPOINT"
  echo "running $label ..."
  local t0 t1 rc=0 orders
  t0=$(date +%s%N)
  "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  t1=$(date +%s%N)
  orders=$(q "$RUN_DB" "SELECT count(*) FROM public.orders WHERE store_id = '$STORE'")
  if [ $rc -ne 0 ] || [ "$orders" -ne "$N" ]; then
    echo "  $label: exit status $rc, $orders of $N orders in the store:" >&2; tail -n 5 "$tmp/err" >&2
    label="$label (FAILED)"
  fi
  results+=("$label|$(( (t1 - t0) / 1000000 ))")
  if grep -q '^woo-load:' "$tmp/out"; then echo "  $(tail -n 1 "$tmp/out")"; fi
}
CONN="host='$PGHOST' port=$PGPORT dbname=$RUN_DB user=$LOGIN"
timed "psql, $BATCH per call (baseline)" psql -X -q -d "$RUN_DB" -U "$LOGIN" -f "$tmp/baseline.sql"
timed "woo-load --jobs 1" "$WOO_LOAD" --db "$CONN" --store "$STORE" --batch "$BATCH" --jobs 1 --progress none "$tmp/orders.ndjson"
timed "woo-load --jobs 2" "$WOO_LOAD" --db "$CONN" --store "$STORE" --batch "$BATCH" --jobs 2 --progress none "$tmp/orders.ndjson"
TPL=$TEMPLATE_FRESH timed "woo-load --jobs 2, never analysed" "$WOO_LOAD" --db "$CONN" --store "$STORE" --batch "$BATCH" --jobs 2 \
  --progress none "$tmp/orders.ndjson"

echo
echo "$N orders, batches of $BATCH, one transaction per batch, into an empty store of a copy of the"
echo "same database (holding $N other orders, analysed) for each method; the last row: into a freshly"
echo "deployed database instead, never analysed (autovacuum off for its tables)"
base_ms=${results[0]##*|}
printf '%-36s %10s %10s %12s\n' method seconds orders/s "vs psql"
for r in "${results[@]}"; do
  label=${r%|*}; ms=${r##*|}
  awk -v l="$label" -v ms="$ms" -v n="$N" -v b="$base_ms" \
    'BEGIN { printf "%-36s %10.2f %10.0f %11.2fx\n", l, ms / 1000, n / (ms > 0 ? ms / 1000 : 1), (ms > 0 ? b / ms : 0) }'
done
