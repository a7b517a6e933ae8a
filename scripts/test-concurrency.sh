#!/usr/bin/env bash
# Concurrent upserts of the same orders: 4 sessions, each sending the same 2,000
# orders (3 items each, shared customers and products) 4 times, every time in
# a different order. Written in a fixed key order, the calls must neither
# deadlock (40P01) nor duplicate a row. Needs a deployed database ($1).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
db=${1:?usage: test-concurrency.sh DBNAME}
store=c0c0c0c0-0000-4000-8000-000000000001
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "DELETE FROM public.stores WHERE id = '$store'" 2>/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "INSERT INTO public.stores (id, store_url, api_key_hash) VALUES ('$store', 'https://concurrency.example', 'x')" || exit 1

worker() {  # worker N: 10 transactions, each the 200 orders in an order of its own
  local w=$1
  for round in $(seq 1 4); do
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL || return 1
BEGIN;
SET LOCAL ROLE woo_app;
SET LOCAL woo.store_id = '$store';
SELECT woo.upsert_orders('$store', (
  SELECT jsonb_agg(jsonb_build_object('id', n, 'status', 'processing', 'total', '9.00', 'customer_id', n % 17 + 1,
           'date_created_gmt', '2024-01-01T00:00:00',
           'date_modified_gmt', to_char(timestamp '2024-01-01' + ($w * 100 + $round) * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS'),
           'billing', jsonb_build_object('email', 'c' || n % 17 || '@example.com'),
           'line_items', jsonb_build_array(
               jsonb_build_object('product_id', n % 11 + 1, 'name', 'A', 'quantity', 1, 'subtotal', '3.00', 'total', '3.00'),
               jsonb_build_object('product_id', n % 13 + 20, 'name', 'B', 'quantity', 1, 'subtotal', '3.00', 'total', '3.00'),
               jsonb_build_object('product_id', n % 7 + 40, 'name', 'C', 'quantity', 1, 'subtotal', '3.00', 'total', '3.00')))
         ORDER BY md5(n::text || '$w-$round'))
    FROM generate_series(1, 2000) n)) \gset
COMMIT;
SQL
  done
}

pids=()
for w in 1 2 3 4; do worker "$w" > "/tmp/woo-concurrency-$w.log" 2>&1 & pids+=($!); done
failed=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then failed=1; echo "not ok - worker $((i + 1)) failed:"; cat "/tmp/woo-concurrency-$((i + 1)).log"; fi
done
[ $failed -eq 0 ] && echo "ok 1 - 4 concurrent sessions x 4 calls of the same 2,000 orders: no error, no deadlock"
counts=$(psql -X -qAt -d "$db" -c "
  SELECT (SELECT count(*) FROM public.orders WHERE store_id = '$store') || ' ' ||
         (SELECT count(*) FROM public.order_items WHERE store_id = '$store') || ' ' ||
         (SELECT count(*) FROM public.customers WHERE store_id = '$store') || ' ' ||
         (SELECT count(*) FROM public.products WHERE store_id = '$store') || ' ' ||
         (SELECT count(*) FROM (SELECT order_id FROM public.order_items WHERE store_id = '$store' GROUP BY 1 HAVING count(*) <> 3) x)")
if [ "$counts" = "2000 6000 17 31 0" ]; then
  echo "ok 2 - exactly 2000 orders, 6000 items (3 per order), 17 customers, 31 products: no duplicate"
else
  echo "not ok 2 - orders items customers products bad-orders = $counts (want 2000 6000 17 31 0)"; failed=1
fi
psql -X -q -d "$db" -c "SET woo.store_id = '$store'" -c "SELECT 1 / (count(*) = 0)::int FROM woo.customer_metrics_drift('$store')" >/dev/null 2>&1 \
  && echo "ok 3 - customer metrics did not drift" || { echo "not ok 3 - customer metrics drift"; failed=1; }
rm -f /tmp/woo-concurrency-*.log
echo "1..3"
exit $failed
