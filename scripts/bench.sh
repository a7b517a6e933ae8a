#!/usr/bin/env bash
# make bench: each hot function side by side with the plain-SQL way of doing the
# same work, on one private cluster, printing times and ratios.
# Benchmarks are not tests: nothing here asserts a time.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

use_cluster bench
trap '"$ROOT/scripts/cluster.sh" stop bench >/dev/null' EXIT
fresh_db woo_bench
sq deploy "$(sqitch_target woo_bench)" >/dev/null

run() { psql -X -q -v ON_ERROR_STOP=1 -v analysed=on -d woo_bench "$@"; }
run -f "$ROOT/bench/harness.sql"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(psql -X -qAt -d woo_bench -c 'SHOW server_version')"
for f in "$ROOT"/bench/[a-z]*.sql; do
  [ "$(basename "$f")" = harness.sql ] && continue
  [ -n "${BENCH_ONLY:-}" ] && [[ "$(basename "$f")" != $BENCH_ONLY* ]] && continue
  echo "running $(basename "$f") ..."
  run -f "$f"
done

# Ingestion again, into a freshly deployed database that is never analysed
# (autovacuum off for its tables): a first store landing in a new database.
if [ -z "${BENCH_ONLY:-}" ] || [[ upsert_orders == $BENCH_ONLY* ]]; then
  echo "running upsert_orders.sql, never analysed (database woo_bench_fresh) ..."
  fresh_db woo_bench_fresh
  sq deploy "$(sqitch_target woo_bench_fresh)" >/dev/null
  psql -X -q -v ON_ERROR_STOP=1 -d woo_bench_fresh -f "$ROOT/bench/harness.sql"
  psql -X -q -v ON_ERROR_STOP=1 -v analysed=off -d woo_bench_fresh -f "$ROOT/bench/upsert_orders.sql"
  psql -X -q -d woo_bench_fresh -c "COPY (SELECT section, label, ms, baseline, n FROM bench.results ORDER BY ord) TO STDOUT" |
    run -c "COPY bench.results (section, label, ms, baseline, n) FROM STDIN"
fi

# Each section's times, and each contender's speed-up over that section's baseline (the plain-SQL way).
run -c "
SELECT r.section, r.label, r.ms AS best_ms,
       CASE WHEN r.n IS NOT NULL THEN to_char(r.n / (r.ms / 1000), 'FM999,999,990') END AS per_second,
       CASE WHEN r.baseline THEN 'baseline'
            ELSE to_char(b.ms / nullif(r.ms, 0), 'FM990.00') || 'x' END AS speedup_vs_baseline
  FROM bench.results r
  LEFT JOIN bench.results b ON b.section = r.section AND b.baseline
 ORDER BY r.ord"

# woo-load, the bulk loader, against psql sending the same batches one call at a time.
if [ -z "${BENCH_ONLY:-}" ] || [[ woo-load == $BENCH_ONLY* ]]; then
  echo
  echo "running woo-load (scripts/bench-woo-load.sh) ..."
  "$ROOT/scripts/bench-woo-load.sh" --current-cluster
fi

# Peak backend memory of one large upsert call (issue 10: bounded by the chunk, not the payload).
if [ -z "${BENCH_ONLY:-}" ] || [[ memory == $BENCH_ONLY* ]]; then
  echo
  echo "running scripts/bench-memory.sh ..."
  "$ROOT/scripts/bench-memory.sh" woo_bench
fi
