#!/usr/bin/env bash
# Peak private memory (RssAnon of /proc/<pid>/status, sampled every 10 ms) of
# the backend running one woo.upsert_orders call, above what it held just before:
#   - 20,000 new orders x 3 items in one call (about 16 MB of jsonb);
#   - the same order id 1,000 times in one call (each repeat is a chunk of its own;
#     issue 10 saw memory grow with every such chunk).
# Run by make bench (scripts/bench.sh) against database $1 of the current cluster.
# Benchmarks are not tests: nothing here asserts a size.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
db=${1:?usage: bench-memory.sh DBNAME}
store=be000000-0000-4000-8000-0000000000e1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL
DELETE FROM public.stores WHERE id = '$store';
INSERT INTO public.stores (id, store_url, api_key_hash) VALUES ('$store', 'https://memory.example', 'x');
DROP TABLE IF EXISTS public.bench_memory_payloads;
CREATE TABLE public.bench_memory_payloads (name text PRIMARY KEY, p jsonb);
INSERT INTO public.bench_memory_payloads
SELECT 'orders', jsonb_agg(jsonb_build_object('id', n, 'status', 'completed', 'total', '30.00',
         'date_created_gmt', '2024-01-01T00:00:00', 'customer_id', n % 2000 + 1,
         'billing', jsonb_build_object('first_name', 'F' || n % 2000, 'last_name', 'L', 'email', 'c' || n % 2000 || '@example.com'),
         'line_items', jsonb_build_array(
             jsonb_build_object('product_id', n % 300 + 1, 'name', 'Product A', 'quantity', 1, 'subtotal', '10.00', 'total', '10.00'),
             jsonb_build_object('product_id', n % 301 + 400, 'name', 'Product B', 'quantity', 2, 'subtotal', '10.00', 'total', '10.00'),
             jsonb_build_object('product_id', n % 302 + 800, 'name', 'Product C', 'quantity', 1, 'subtotal', '10.00', 'total', '10.00'))))
  FROM generate_series(1, 20000) n;
INSERT INTO public.bench_memory_payloads
SELECT 'same id', jsonb_agg(jsonb_build_object('id', 7, 'status', 'completed', 'total', '30.00',
         'date_created_gmt', '2024-01-01T00:00:00', 'customer_id', 5,
         'line_items', jsonb_build_array(jsonb_build_object('product_id', 3, 'name', 'Product A', 'quantity', 1,
                                                            'subtotal', n || '.00', 'total', '10.00'))))
  FROM generate_series(1, 1000) n;
GRANT SELECT ON public.bench_memory_payloads TO woo_app;
SQL

rss_kb() { awk '/^RssAnon:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

measure() {  # measure NAME: one call in a fresh session; prints payload MB, call ms, peak MB above the start
  local name=$1 pid base peak=0 cur
  mkfifo "$tmp/in"
  psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" <"$tmp/in" >"$tmp/out" 2>&1 & local ppid=$!
  exec 7>"$tmp/in"
  echo "SELECT pg_backend_pid(); BEGIN; SET LOCAL ROLE woo_app; SET LOCAL woo.store_id = '$store';" >&7
  for _ in $(seq 1 100); do pid=$(head -n 1 "$tmp/out" 2>/dev/null); [ -n "$pid" ] && break; sleep 0.05; done
  sleep 0.2
  base=$(rss_kb "$pid")
  echo "\\timing on
        SELECT 'result', (woo.upsert_orders('$store', p)).* FROM public.bench_memory_payloads WHERE name = '$name';
        \\timing off
        ROLLBACK;" >&7
  exec 7>&-
  while kill -0 "$ppid" 2>/dev/null; do
    cur=$(rss_kb "$pid"); [ "${cur:-0}" -gt "$peak" ] && peak=$cur
    sleep 0.01
  done
  wait "$ppid" || { cat "$tmp/out" >&2; return 1; }
  rm -f "$tmp/in"
  local ms size
  ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$tmp/out" | tail -n 1)
  size=$(psql -X -qAt -d "$db" -c "SELECT round(octet_length(p::text) / 1048576.0, 1) || ' MB of JSON, ' || jsonb_array_length(p) || ' records' FROM public.bench_memory_payloads WHERE name = '$name'")
  printf '%-10s %-34s call %8.0f ms   peak RssAnon above start: %6.1f MB\n' "$name" "($size)" "$ms" "$(awk -v p="$peak" -v b="$base" 'BEGIN {print (p - b) / 1024}')"
}

echo "peak backend memory of one woo.upsert_orders call (RssAnon, sampled every 10 ms):"
measure orders
measure "same id"
psql -X -q -d "$db" -c "DROP TABLE public.bench_memory_payloads" -c "DELETE FROM public.stores WHERE id = '$store'"
