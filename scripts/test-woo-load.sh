#!/usr/bin/env bash
# Integration tests of woo-load, the bulk loader, against a deployed database ($1, every
# migration deployed by the caller) on the current cluster (PGHOST/PGPORT/PGUSER of a
# superuser, as scripts/cluster.sh env prints them). TAP-like output; exits non-zero when
# any test fails.
#
#   WOO_LOAD=build/cmake/woo-load scripts/test-woo-load.sh DBNAME
#
# WOO_LOAD defaults to the installed binary, $(pg_config --bindir)/woo-load. Every case
# asserts what the database holds afterwards, not only what woo-load prints:
#   a. the fixture store export (tests/fixtures/woo-load/store) into store A
#   b. the same export again: all unchanged; an older version of one order: skipped_stale
#   c. a bad record without --lenient (exit 1, earlier batches kept), then --resume --lenient
#   d. SIGINT in the middle of 20,000 generated orders (exit 130), then --resume
#   e. --jobs 2: the same rows as --jobs 1 (the fixtures, and the 20,000 orders)
#   f. standard input, resource inferred
#   g. a server that cannot be reached: exit 3
#   h. a usage error: exit 2
#   i. every woo-load connection terminated twice during a --jobs 2 load: it reconnects and
#      completes, each batch committed once
#   j. the same file named twice (directly and through its directory): loaded once
#   k. a batch whose every attempt loses the connection: the run stops after --retries
#   l. woo-load killed (SIGKILL) while its batch is still running in the server, then
#      --resume at once: it waits for that batch, which commits; nothing sent twice, no 23505
# Each case has a store of its own (A..F), created here; the login woo_loader_test (a
# member of woo_app, as the application's login would be) is dropped and created again,
# and dropped at the end.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tap.sh"
db=${1:?usage: test-woo-load.sh DBNAME}
WOO_LOAD=${WOO_LOAD:-$("$PG_CONFIG" --bindir)/woo-load}
case "$WOO_LOAD" in /*) ;; */*) WOO_LOAD=$PWD/$WOO_LOAD ;; esac
FIX=$(readlink -f "$ROOT/tests/fixtures/woo-load")
LOGIN=woo_loader_test

[ -x "$WOO_LOAD" ] || { echo "Bail out! woo-load not found or not executable: $WOO_LOAD"; exit 1; }
[ -d "$FIX/store" ] && [ -f "$FIX/bad/orders.ndjson" ] || { echo "Bail out! fixtures missing under $FIX"; exit 1; }

q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }   # as the superuser: RLS does not apply
[ "$(q "SELECT to_regclass('woo.load_checkpoints') IS NOT NULL" 2>&1)" = t ] ||
  { echo "Bail out! woo.load_checkpoints missing in database $db (deploy every migration first)"; exit 1; }

A=e1000000-0000-4000-8000-00000000000a   # a, b: the fixture export
B=e1000000-0000-4000-8000-00000000000b   # e: the fixture export with --jobs 2
C=e1000000-0000-4000-8000-00000000000c   # c: bad record, resume lenient
D=e1000000-0000-4000-8000-00000000000d   # d: SIGINT and resume (20,000 orders, --jobs 1)
E=e1000000-0000-4000-8000-00000000000e   # f: stdin
F=e1000000-0000-4000-8000-00000000000f   # e: the same 20,000 orders with --jobs 2
G=e1000000-0000-4000-8000-000000000010   # i: the same 20,000 orders, connections killed under it
H=e1000000-0000-4000-8000-000000000011   # j, k: the same file twice; a batch that kills its connection
I=e1000000-0000-4000-8000-000000000012   # l: SIGKILL while a batch is running, then --resume at once
STORES="'$A','$B','$C','$D','$E','$F','$G','$H','$I'"

tmp=$(mktemp -d /tmp/test-woo-load.XXXXXX)
bg_pid=
cleanup() {
  [ -n "$bg_pid" ] && kill -KILL "$bg_pid" 2>/dev/null
  q "DROP ROLE IF EXISTS $LOGIN" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT

# Setup: the login, and the stores emptied of whatever an earlier run left (foreign-key
# triggers off meanwhile: everything of these stores goes, and their checks would scan the
# orders and items once per deleted customer or product).
setup() {
  psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL
SET client_min_messages = warning;
DROP ROLE IF EXISTS $LOGIN;
CREATE ROLE $LOGIN LOGIN IN ROLE woo_app;
SET session_replication_role = replica;
DELETE FROM woo.load_checkpoints WHERE store_id IN ($STORES);
DELETE FROM woo.ingest_rejects WHERE store_id IN ($STORES);
DELETE FROM public.sync_logs WHERE store_id IN ($STORES);
DELETE FROM public.order_items WHERE store_id IN ($STORES);
DELETE FROM public.orders WHERE store_id IN ($STORES);
DELETE FROM public.products WHERE store_id IN ($STORES);
DELETE FROM public.categories WHERE store_id IN ($STORES);
DELETE FROM public.customers WHERE store_id IN ($STORES);
DELETE FROM public.coupons WHERE store_id IN ($STORES);
DELETE FROM public.saved_charts WHERE store_id IN ($STORES);
DELETE FROM public.conversations WHERE store_id IN ($STORES);
RESET session_replication_role;
DELETE FROM public.stores WHERE id IN ($STORES);
INSERT INTO public.stores (id, store_url, api_key_hash)
SELECT id::uuid, 'https://woo-load-test-' || right(id, 1) || '.example', 'x'
  FROM unnest(ARRAY[$STORES]) AS id;
SQL
}
setup || { echo "Bail out! could not create the login and the stores"; exit 1; }
CONN="host='$PGHOST' port=$PGPORT dbname='$db' user=$LOGIN"

# --- TAP helpers ----------------------------------------------------------------------------
with_commas() { printf '%s' "$1" | sed -E ':a; s/([0-9])([0-9]{3})($|,)/\1,\2\3/; ta'; }  # as woo-load prints counts
diag_run() {   # the end of a run's output, after a failed expectation
  echo "#   --- $1 stdout (last lines):"; tail -n 5 "$tmp/$1.out" 2>/dev/null | sed 's/^/#   /'
  echo "#   --- $1 stderr (last lines):"; tail -n 15 "$tmp/$1.err" 2>/dev/null | sed 's/^/#   /'
}
is_rc() {      # is_rc RUN WANT NAME
  if [ "$rc" = "$2" ]; then ok "$3"; else not_ok "$3" "exit status $rc, want $2"; diag_run "$1"; fi
}

# load NAME ARGS...: runs woo-load (at most 5 minutes); sets rc, summary (last stdout line).
load() {
  local name=$1; shift
  timeout 300 "$WOO_LOAD" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  rc=$?
  summary=$(tail -n 1 "$tmp/$name.out")
}
# sf KEY: a field of the current summary line.
sf() { local v; v=$(printf ' %s\n' "$summary" | grep -oE " $1=[^ ]*" | head -n 1); echo "${v#*=}"; }
num() { if [[ "$1" =~ ^[0-9]+$ ]]; then echo "$1"; else echo 0; fi; }
SUMMARY_RE='^woo-load: status=(completed|failed|interrupted) records=[0-9]+ inserted=[0-9]+ updated=[0-9]+ unchanged=[0-9]+ skipped_stale=[0-9]+ rejected=[0-9]+ elapsed=[0-9]+(\.[0-9]+)?s rate=[0-9]+(\.[0-9]+)?/s sync=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
# counts STORE: categories products customers coupons orders order_items of the store.
counts() {
  q "SELECT (SELECT count(*) FROM public.categories WHERE store_id = '$1') || ' ' ||
            (SELECT count(*) FROM public.products WHERE store_id = '$1') || ' ' ||
            (SELECT count(*) FROM public.customers WHERE store_id = '$1') || ' ' ||
            (SELECT count(*) FROM public.coupons WHERE store_id = '$1') || ' ' ||
            (SELECT count(*) FROM public.orders WHERE store_id = '$1') || ' ' ||
            (SELECT count(*) FROM public.order_items WHERE store_id = '$1')"
}
# links STORE: orders without a customer, line items without a product (every generated
# order has a billing e-mail, every item a product id: both must be 0).
links() {
  q "SELECT (SELECT count(*) FROM public.orders WHERE store_id = '$1' AND customer_id IS NULL) || ' ' ||
            (SELECT count(*) FROM public.order_items WHERE store_id = '$1' AND product_id IS NULL)"
}
# The fixture export: 3 categories (one a child), 5 products (a variable one and its
# variation), 3 customers (+1 guest from an order), 2 coupons, 7 orders with 11 line items.
FIXTURE_COUNTS="3 5 4 2 7 11"
FIXTURE_RECORDS=20

# --- a. the fixture export into store A -----------------------------------------------------
echo "# a. the fixture export ($FIX/store) into store A"
load a --db "$CONN" --store "$A" --progress none "$FIX/store"
is_rc a 0 "a: exit status 0"
like "$summary" "$SUMMARY_RE" "a: the last stdout line is the summary"
is "$(sf status) $(sf records) $(sf inserted) $(sf updated) $(sf unchanged) $(sf skipped_stale) $(sf rejected)" \
   "completed $FIXTURE_RECORDS $FIXTURE_RECORDS 0 0 0 0" "a: summary: completed, $FIXTURE_RECORDS records, all inserted"
is "$(counts "$A")" "$FIXTURE_COUNTS" "a: store A holds categories products customers coupons orders items = $FIXTURE_COUNTS"
is "$(counts "$B") $(q "SELECT count(*) FROM public.sync_logs WHERE store_id <> '$A' AND store_id IN ($STORES)")" "0 0 0 0 0 0 0" \
   "a: nothing written to the other stores"
is "$(q "SELECT wc_order_id || ':' || coalesce(c.wc_customer_id::text, 'guest') || ':' || coalesce(o.coupon_used, '') || ':' || o.refunded_total
           FROM public.orders o LEFT JOIN public.customers c ON c.id = o.customer_id
          WHERE o.store_id = '$A' AND wc_order_id IN (1003, 1004, 1005) ORDER BY 1" | tr '\n' ' ')" \
   "1003:guest::0.00 1004:25:10off:0.00 1005:27:freeship:12.00 " "a: the guest order, the coupon and the refund are mapped"
is "$(q "SELECT p.wc_product_id || '<' || pp.wc_product_id FROM public.products p JOIN public.order_items i ON i.product_id = p.id
           JOIN public.orders o ON o.id = i.order_id, public.products pp
          WHERE o.store_id = '$A' AND o.wc_order_id = 1001 AND p.type = 'variation' AND pp.store_id = '$A' AND pp.wc_product_id = 22")" \
   "23<22" "a: the variation line item links to the variation product"
sync_a=$(sf sync)
is "$(q "SELECT id || ' ' || sync_type || ' ' || status || ' ' || records_synced FROM public.sync_logs WHERE store_id = '$A'")" \
   "$sync_a full completed $FIXTURE_RECORDS" "a: one sync_logs row, the summary's, type full, completed, records_synced $FIXTURE_RECORDS"
is "$(q "SELECT string_agg(replace(source, '$FIX/store/', '') || ':' || resource || ':' || first_record || '+' || records || ':' || inserted,
                           ' ' ORDER BY committed_at, source, first_record)
           FROM woo.load_checkpoints WHERE sync_id = '$sync_a' AND store_id = '$A'")" \
   "categories.json:categories:1+3:3 products.json:products:1+5:5 customers.ndjson:customers:1+3:3 coupons.json:coupons:1+2:2 orders/page-1.json:orders:1+4:4 orders/page-2.json:orders:1+3:3" \
   "a: one checkpoint per file (absolute path), committed in the order categories, products, customers, coupons, orders by path"

# --- b. the same export again ---------------------------------------------------------------
echo "# b. the same export into store A again"
load b --db "$CONN" --store "$A" --progress none "$FIX/store"
is_rc b 0 "b: exit status 0"
is "$(sf status) $(sf records) $(sf inserted) $(sf updated) $(sf unchanged) $(sf skipped_stale) $(sf rejected)" \
   "completed $FIXTURE_RECORDS 0 0 $FIXTURE_RECORDS 0 0" "b: summary: every record unchanged"
is "$(counts "$A")" "$FIXTURE_COUNTS" "b: no new row in store A"
is "$(q "SELECT count(*) || ' ' || count(*) FILTER (WHERE status = 'completed') || ' ' || count(*) FILTER (WHERE id = '$(sf sync)')
           FROM public.sync_logs WHERE store_id = '$A'")" "2 2 1" "b: a second sync, completed"
# An older delivery of order 1001 (modified an hour earlier, another status) is skipped,
# counted as skipped_stale in the summary and in its checkpoint.
q "SELECT (('$(cat "$FIX/store/orders/page-1.json")')::jsonb -> 0)
          || '{\"date_modified_gmt\": \"2024-02-10T08:15:30\", \"date_modified\": \"2024-02-10T09:15:30\", \"status\": \"cancelled\"}'" \
  >"$tmp/stale.ndjson"
load b2 --db "$CONN" --store "$A" --progress none "$tmp/stale.ndjson"
is_rc b2 0 "b: an older version of order 1001: exit status 0"
like "$summary" "$SUMMARY_RE" "b: an older version of order 1001: the last stdout line is the summary"
is "$(sf status) $(sf records) $(sf inserted) $(sf updated) $(sf unchanged) $(sf skipped_stale) $(sf rejected)" \
   "completed 1 0 0 0 1 0" "b: summary: the older version of order 1001 counted as skipped_stale"
is "$(q "SELECT o.status || ' ' || c.skipped_stale || ' ' || c.unchanged
           FROM public.orders o, woo.load_checkpoints c
          WHERE o.store_id = '$A' AND o.wc_order_id = 1001 AND c.sync_id = '$(sf sync)'")" "processing 1 0" \
   "b: order 1001 keeps its newer status; the checkpoint counts it skipped_stale"

# --- c. a bad record, then --resume --lenient ----------------------------------------------
echo "# c. bad/orders.ndjson (record 4 has date_created_gmt \"not-a-date\") into store C, batches of 2"
BAD=$FIX/bad/orders.ndjson
load c1 --db "$CONN" --store "$C" --batch 2 --progress none "$BAD"
is_rc c1 1 "c: without --lenient: exit status 1"
err=$(cat "$tmp/c1.err")
like "$err" "bad/orders\.ndjson" "c: stderr names the file"
like "$err" "(^|[^0-9])3[^0-9]{1,6}4([^0-9]|$)" "c: stderr names the record range of the failed batch (3-4)"
like "$err" "2004" "c: stderr carries the server's error naming order 2004"
like "$err" "not-a-date|not a date" "c: stderr carries the server's error (not a date)"
sync_c=$(sf sync); inserted1=$(sf inserted)
is "$(sf status)" failed "c: summary: status failed"
# Batches already in flight when batch 3-4 failed (here record 5, pipelined) may commit too:
# only 1-2 committed and 3-4 rolled back are fixed; the rest must agree with the checkpoints.
is "$(q "SELECT string_agg(wc_order_id::text, ' ' ORDER BY wc_order_id) FROM public.orders WHERE store_id = '$C' AND wc_order_id <= 2004")" \
   "2001 2002" "c: the batch of records 1-2 is committed (orders 2001, 2002), the failed batch 3-4 (2003, 2004) is not"
committed1=$(q "SELECT coalesce(sum(records), 0) FROM woo.load_checkpoints WHERE store_id = '$C'")
is "$(q "SELECT count(*) FROM public.orders WHERE store_id = '$C'") $committed1 $(q "SELECT count(*) FROM woo.load_checkpoints WHERE store_id = '$C' AND first_record = 1 AND records = 2") $(q "SELECT count(*) FROM woo.load_checkpoints WHERE store_id = '$C' AND first_record = 3")" \
   "${inserted1:-?} ${inserted1:-?} 1 0" "c: orders in store C = inserted in the summary = records in checkpoints; checkpoint 1-2 present, none for 3-4"
is "$(q "SELECT sync_type || ' ' || status || ' ' || (error_message IS NOT NULL) FROM public.sync_logs WHERE store_id = '$C'")" \
   "orders failed true" "c: the sync (type orders) is closed as failed, with the error"

load c2 --db "$CONN" --store "$C" --batch 2 --resume --lenient --progress none "$BAD"
is_rc c2 0 "c: --resume --lenient: exit status 0"
like "$(cat "$tmp/c2.err")" "resuming sync $sync_c: $(with_commas "$committed1") records already committed" \
   "c: stderr: resuming the failed sync, $committed1 records already committed"
inserted2=$(sf inserted)
is "$(sf status) $(sf records) $(( $(num "$inserted1") + $(num "$inserted2") )) $(sf updated) $(sf unchanged) $(sf rejected) $(sf sync)" \
   "completed $((5 - committed1)) 4 0 0 1 $sync_c" \
   "c: resumed run: completed, only the records not committed sent (unchanged=0), inserted of both runs = 4, 1 rejected, same sync"
is "$(q "SELECT count(*) || ' ' || count(DISTINCT wc_order_id) || ' ' || string_agg(wc_order_id::text, ' ' ORDER BY wc_order_id)
           FROM public.orders WHERE store_id = '$C'")" "4 4 2001 2002 2003 2005" "c: every good order present exactly once, 2004 absent"
is "$(q "SELECT string_agg(resource || ' ' || wc_id || ' ' || sqlstate || ' ' || (payload->>'date_created_gmt'), '; ')
           FROM woo.ingest_rejects WHERE store_id = '$C'")" "orders 2004 22007 not-a-date" "c: order 2004 set aside in woo.ingest_rejects"
is "$(q "SELECT count(*) || ' ' || string_agg(status, ' ') FROM public.sync_logs WHERE store_id = '$C'")" "1 completed" \
   "c: the same sync_logs row, now completed"
is "$(q "SELECT string_agg(first_record || '+' || records || ':' || inserted || '/' || rejected, ' ' ORDER BY first_record)
           FROM woo.load_checkpoints WHERE store_id = '$C' AND sync_id = '$sync_c'")" "1+2:2/0 3+2:1/1 5+1:1/0" \
   "c: checkpoints 1-2, 3-4 (one rejected), 5: each record once"

# --- d. SIGINT during a load, then --resume -----------------------------------------------
echo "# d. 20,000 generated orders into store D, batches of 100, SIGINT after the first commit, then --resume"
ORDERS=$tmp/orders-20k.ndjson
if PGDATABASE=$db "$ROOT/scripts/gen-orders.sh" 20000 7 >"$ORDERS" 2>"$tmp/gen.err" && [ "$(wc -l <"$ORDERS")" -eq 20000 ]; then
  ok "d: gen-orders.sh printed 20,000 orders"
else
  not_ok "d: gen-orders.sh printed 20,000 orders" "$(tail -n 3 "$tmp/gen.err")"
fi
# A background job of a non-interactive shell starts with SIGINT ignored; give woo-load the
# default disposition, as it has when run from a terminal.
sigint_default=()
env --default-signal=INT true 2>/dev/null && sigint_default=(env --default-signal=INT)
"${sigint_default[@]}" "$WOO_LOAD" --db "$CONN" --store "$D" --batch 100 --progress lines "$ORDERS" >"$tmp/d1.out" 2>"$tmp/d1.err" &
bg_pid=$!
committed=0
for _ in $(seq 1 600); do   # up to 60 s for the first committed batch
  committed=$(q "SELECT count(*) FROM woo.load_checkpoints WHERE store_id = '$D'" 2>/dev/null || echo 0)
  [ "${committed:-0}" -ge 1 ] && break
  kill -0 "$bg_pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$bg_pid" 2>/dev/null; then
  kill -INT "$bg_pid"
  for _ in $(seq 1 600); do kill -0 "$bg_pid" 2>/dev/null || break; sleep 0.1; done   # up to 60 s to stop
  if kill -0 "$bg_pid" 2>/dev/null; then kill -KILL "$bg_pid"; echo "# woo-load did not stop within 60 s of SIGINT: killed"; fi
  wait "$bg_pid"; rc=$?
else
  wait "$bg_pid"; rc=$?
  echo "# woo-load ended (status $rc) before SIGINT could be sent ($committed checkpoints seen)"
fi
bg_pid=
summary=$(tail -n 1 "$tmp/d1.out")
is_rc d1 130 "d: SIGINT: exit status 130"
like "$summary" "$SUMMARY_RE" "d: interrupted run still prints the summary"
is "$(sf status)" interrupted "d: summary status=interrupted"
inserted1=$(sf inserted); sync_d=$(sf sync)
orders1=$(q "SELECT count(*) FROM public.orders WHERE store_id = '$D'")
if [ "$orders1" -gt 0 ] && [ "$orders1" -lt 20000 ]; then ok "d: 0 < orders in store D ($orders1) < 20000"
else not_ok "d: 0 < orders in store D < 20000" "got $orders1"; fi
is "$orders1 $(q "SELECT coalesce(sum(records), 0) FROM woo.load_checkpoints WHERE store_id = '$D'")" "${inserted1:-?} ${inserted1:-?}" \
   "d: orders in the database = inserted in the summary = records in checkpoints"
like "$(q "SELECT status || ' ' || coalesce(error_message, '') FROM public.sync_logs WHERE store_id = '$D'")" "^failed .*interrupted" \
   "d: the sync is closed as failed (interrupted)"

load d2 --db "$CONN" --store "$D" --batch 100 --resume --progress none "$ORDERS"
is_rc d2 0 "d: --resume: exit status 0"
like "$(cat "$tmp/d2.err")" "resuming sync $sync_d: $(with_commas "$orders1") records already committed" "d: stderr: resuming sync $sync_d, $orders1 records already committed"
inserted2=$(sf inserted)
is "$(sf status) $(sf sync) $(( $(num "$inserted1") + $(num "$inserted2") )) $(sf unchanged) $(sf updated)" "completed $sync_d 20000 0 0" \
   "d: resumed run completed the same sync; inserted first + resumed = 20000, nothing unchanged or updated (nothing sent twice)"
is "$(q "SELECT count(*) || ' ' || count(DISTINCT wc_order_id) FROM public.orders WHERE store_id = '$D'")" "20000 20000" \
   "d: 20,000 orders in store D, each once"
is "$(links "$D")" "0 0" "d: every order of store D is linked to its customer, every line item to its product"
is "$(q "SELECT count(*) || ' ' || status || ' ' || records_synced FROM public.sync_logs WHERE store_id = '$D' GROUP BY status, records_synced")" \
   "1 completed 20000" "d: one sync_logs row, completed, records_synced 20000"
is "$(q "SELECT count(DISTINCT source) || ' ' || min(first_record) || ' ' || max(first_record + records - 1) || ' ' || sum(records) || ' ' ||
                bool_and(first_record = coalesce(prev_end + 1, 1)) || ' ' || bool_and(records <= 100)
           FROM (SELECT source, first_record, records,
                        lag(first_record + records - 1) OVER (PARTITION BY source ORDER BY first_record) AS prev_end
                   FROM woo.load_checkpoints WHERE store_id = '$D' AND sync_id = '$sync_d') c")" "1 1 20000 20000 true true" \
   "d: checkpoints cover records 1..20000 of the file, contiguous, no overlap, batches of at most 100"
is "$(q "SELECT count(*) FROM woo.load_checkpoints WHERE store_id = '$D' AND source <> '$(readlink -f "$ORDERS")'")" 0 \
   "d: checkpoint source is the file's absolute path"

# --- e. --jobs 2 -----------------------------------------------------------------------------
echo "# e. --jobs 2: the fixture export into store B, the 20,000 orders into store F"
load e1 --db "$CONN" --store "$B" --jobs 2 --progress none "$FIX/store"
is_rc e1 0 "e: --jobs 2, fixture export: exit status 0"
is "$(sf status) $(sf inserted)" "completed $FIXTURE_RECORDS" "e: --jobs 2, fixture export: all $FIXTURE_RECORDS inserted"
is "$(counts "$B")" "$(counts "$A")" "e: --jobs 2 gives store B the same rows as --jobs 1 gave store A"
load e2 --db "$CONN" --store "$F" --jobs 2 --batch 100 --progress none "$ORDERS"
is_rc e2 0 "e: --jobs 2, 20,000 orders: exit status 0"
is "$(sf status) $(sf inserted)" "completed 20000" "e: --jobs 2, 20,000 orders: all inserted"
is "$(counts "$F")" "$(counts "$D")" "e: --jobs 2 gives store F the same rows as --jobs 1 (+ resume) gave store D"
is "$(links "$F")" "0 0" "e: --jobs 2: every order of store F is linked to its customer, every line item to its product"
is "$(q "SELECT count(*) FROM public.orders f JOIN public.orders d ON d.store_id = '$D' AND d.wc_order_id = f.wc_order_id
           LEFT JOIN public.customers fc ON fc.id = f.customer_id LEFT JOIN public.customers dc ON dc.id = d.customer_id
          WHERE f.store_id = '$F' AND (fc.wc_customer_id, fc.email_hash) IS DISTINCT FROM (dc.wc_customer_id, dc.email_hash)")" 0 \
   "e: every order of store F has the same customer (WooCommerce id, e-mail hash) as in store D"
is "$(q "SELECT count(*) FROM (SELECT * FROM public.customers WHERE store_id = '$F') f
                  FULL JOIN (SELECT * FROM public.customers WHERE store_id = '$D') d
                    ON d.email_hash = f.email_hash AND d.wc_customer_id IS NOT DISTINCT FROM f.wc_customer_id
          WHERE (f.order_count, f.total_spent, f.first_order_date, f.last_order_date)
                IS DISTINCT FROM (d.order_count, d.total_spent, d.first_order_date, d.last_order_date)")" 0 \
   "e: every customer's metrics (order_count, total_spent, first/last order date) equal in stores F and D"
is "$(psql -X -q -A -t -d "$db" -c "BEGIN" -c "SET LOCAL woo.store_id = '$F'" -c "SELECT count(*) FROM woo.customer_metrics_drift('$F')" -c "COMMIT" 2>&1)" 0 \
   "e: --jobs 2: no customer metrics drift"

# --- f. standard input -----------------------------------------------------------------------
echo "# f. customers.ndjson on standard input into store E"
cat "$FIX/store/customers.ndjson" | timeout 300 "$WOO_LOAD" --db "$CONN" --store "$E" --progress none - >"$tmp/f.out" 2>"$tmp/f.err"
rc=${PIPESTATUS[1]}; summary=$(tail -n 1 "$tmp/f.out")
is_rc f 0 "f: stdin: exit status 0"
is "$(sf status) $(sf inserted)" "completed 3" "f: stdin: 3 inserted"
is "$(q "SELECT count(*) || ' ' || string_agg(wc_customer_id::text, ' ' ORDER BY wc_customer_id) FROM public.customers WHERE store_id = '$E'")" \
   "3 25 26 27" "f: the 3 customers are in store E"
is "$(q "SELECT s.sync_type || ' ' || s.status || ' ' || string_agg(DISTINCT c.source || ':' || c.resource, ' ')
           FROM public.sync_logs s JOIN woo.load_checkpoints c ON c.sync_id = s.id WHERE s.store_id = '$E' GROUP BY s.sync_type, s.status")" \
   "customers completed -:customers" "f: resource inferred (sync type customers), checkpoint source '-'"

# --- g. unreachable server -------------------------------------------------------------------
echo "# g. a server that cannot be reached"
start=$(date +%s%N)
load g --db 'host=127.0.0.1 port=1 dbname=x' --store "$A" --retries 1 --progress none "$FIX/store/coupons.json"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is_rc g 3 "g: unreachable server: exit status 3"
if [ "$ms" -lt 10000 ]; then ok "g: gave up within 10 s ($ms ms)"; else not_ok "g: gave up within 10 s" "took $ms ms"; fi
like "$(cat "$tmp/g.err")" "could not connect" "g: stderr says could not connect"

# --- h. usage ------------------------------------------------------------------------------
echo "# h. usage errors"
load h --db "$CONN" --progress none "$FIX/store"
is_rc h 2 "h: no --store: exit status 2"
is "$(q "SELECT count(*) FROM public.sync_logs WHERE store_id IN ($STORES)")" 8 "h: no sync was opened by the usage error (8 syncs in all)"

# --- i. lost connections --------------------------------------------------------------------
echo "# i. the 20,000 orders into store G with --jobs 2; every woo-load connection terminated twice"
"$WOO_LOAD" --db "$CONN" --store "$G" --jobs 2 --batch 100 --progress none "$ORDERS" >"$tmp/i.out" 2>"$tmp/i.err" &
bg_pid=$!
kills=0
for want in 1 40; do   # after the first committed batch, and after the 40th
  for _ in $(seq 1 600); do
    [ "$(q "SELECT count(*) >= $want FROM woo.load_checkpoints WHERE store_id = '$G'")" = t ] && break
    kill -0 "$bg_pid" 2>/dev/null || break
    sleep 0.1
  done
  k=$(q "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'woo-load' AND usename = '$LOGIN'")
  kills=$((kills + k))
done
wait "$bg_pid"; rc=$?; bg_pid=
summary=$(tail -n 1 "$tmp/i.out")
if [ "$kills" -ge 4 ]; then ok "i: $kills woo-load connections terminated under it"; else not_ok "i: at least 4 woo-load connections terminated under it" "terminated $kills"; fi
is_rc i 0 "i: exit status 0 all the same"
is "$(sf status) $(sf records) $(sf inserted) $(sf unchanged)" "completed 20000 20000 0" \
   "i: summary: completed, 20,000 records inserted once each (in-flight batches looked up, not counted twice)"
is "$(q "SELECT count(*) || ' ' || count(DISTINCT wc_order_id) FROM public.orders WHERE store_id = '$G'")" "20000 20000" \
   "i: 20,000 orders in store G, each once"
is "$(links "$G")" "0 0" "i: every order linked to its customer, every item to its product"
is "$(q "SELECT min(first_record) || ' ' || max(first_record + records - 1) || ' ' || sum(records) || ' ' ||
                bool_and(first_record = coalesce(prev_end + 1, 1))
           FROM (SELECT first_record, records, lag(first_record + records - 1) OVER (ORDER BY first_record) AS prev_end
                   FROM woo.load_checkpoints WHERE store_id = '$G') c")" "1 20000 20000 true" \
   "i: checkpoints cover records 1..20000, contiguous, no overlap"
is "$(q "SELECT count(*) || ' ' || status || ' ' || records_synced FROM public.sync_logs WHERE store_id = '$G' GROUP BY status, records_synced")" \
   "1 completed 20000" "i: the sync is closed as completed (its control connection was terminated too)"

# --- j. the same file twice ------------------------------------------------------------------
echo "# j. coupons.json named directly and again through a directory that holds only it"
mkdir -p "$tmp/j" && ln -s "$FIX/store/coupons.json" "$tmp/j/coupons.json"
load j --db "$CONN" --store "$H" --progress none "$FIX/store/coupons.json" "$tmp/j"
is_rc j 0 "j: exit status 0"
is "$(sf records) $(sf inserted) $(q "SELECT count(*) FROM woo.load_checkpoints WHERE store_id = '$H'")" "2 2 1" \
   "j: its 2 coupons loaded once, one checkpoint"

# --- k. a poison batch -----------------------------------------------------------------------
echo "# k. orders page-1.json (4 orders) in batches of 2; every attempt of records 3-4 terminates its own connection"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL >/dev/null
CREATE FUNCTION public.woo_test_poison() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS
\$\$ BEGIN IF NEW.first_record = 3 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF; RETURN NEW; END \$\$;
CREATE TRIGGER woo_test_poison BEFORE INSERT ON woo.load_checkpoints FOR EACH ROW
  WHEN (NEW.store_id = '$H') EXECUTE FUNCTION public.woo_test_poison();
SQL
start=$(date +%s%N)
load k --db "$CONN" --store "$H" --batch 2 --retries 2 --progress none "$FIX/store/orders/page-1.json"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
q "DROP TRIGGER woo_test_poison ON woo.load_checkpoints; DROP FUNCTION public.woo_test_poison()" >/dev/null
is_rc k 1 "k: exit status 1 (the run stops; it does not loop)"
like "$(cat "$tmp/k.err")" "records 3-4 .*connection was lost while it ran, 3 times" "k: stderr names the batch and the 3 lost connections"
if [ "$ms" -lt 30000 ]; then ok "k: gave up in $ms ms"; else not_ok "k: gave up within 30 s" "took $ms ms"; fi
is "$(q "SELECT string_agg(first_record::text, ',' ORDER BY first_record) FROM woo.load_checkpoints WHERE store_id = '$H' AND resource = 'orders'")" "1" \
   "k: the batch before it is committed, the poisoned one is not"

# --- l. SIGKILL with a batch still running in the server, then --resume at once ---------------
echo "# l. 60 orders in batches of 10; the first batch held in the server, woo-load killed, --resume started"
head -n 60 "$ORDERS" >"$tmp/orders-60.ndjson"
first_id=$(head -n 1 "$ORDERS" | grep -oE '"id": *[0-9]+' | head -n 1 | grep -oE '[0-9]+$')
waits_for() {  # waits_for CONDITION: a woo-load session of this test's login in that state (up to 15 s)
  for _ in $(seq 1 150); do
    [ "$(q "SELECT count(*) > 0 FROM pg_stat_activity WHERE usename = '$LOGIN' AND $1")" = t ] && return 0
    sleep 0.1
  done
  return 1
}
# Another transaction inserts the first batch's first order and stays open: the batch waits
# for it inside its upsert (after its statements are prepared and the batches are sent).
mkfifo "$tmp/hold"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <"$tmp/hold" >"$tmp/hold.log" 2>&1 & hold_pid=$!
exec 9>"$tmp/hold"
echo "BEGIN; INSERT INTO public.orders (store_id, wc_order_id, status, total, date_created) VALUES ('$I', $first_id, 'x', 0, now()); SELECT 'held';" >&9
for _ in $(seq 1 100); do grep -q held "$tmp/hold.log" 2>/dev/null && break; sleep 0.1; done
"$WOO_LOAD" --db "$CONN" --store "$I" --batch 10 --jobs 1 --progress none "$tmp/orders-60.ndjson" >"$tmp/l1.out" 2>"$tmp/l1.err" &
bg_pid=$!
waits_for "wait_event_type = 'Lock' AND wait_event = 'transactionid'" || echo "# l: the first batch did not wait in the server"
kill -KILL "$bg_pid"; wait "$bg_pid" 2>/dev/null; bg_pid=
timeout 300 "$WOO_LOAD" --db "$CONN" --store "$I" --batch 10 --jobs 1 --resume --progress none "$tmp/orders-60.ndjson" >"$tmp/l2.out" 2>"$tmp/l2.err" &
bg_pid=$!
if waits_for "wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE '%woo-load batch%'"; then
  ok "l: --resume waits for the killed run's batch still running in the server"
else
  not_ok "l: --resume waits for the killed run's batch still running in the server" "no woo-load session waited on the batch lock"
fi
echo "ROLLBACK;" >&9; exec 9>&-; wait "$hold_pid"
wait "$bg_pid"; rc=$?; bg_pid=
summary=$(tail -n 1 "$tmp/l2.out")
is_rc l2 0 "l: --resume: exit status 0"
if grep -q 23505 "$tmp/l2.err"; then not_ok "l: no 23505" "$(grep 23505 "$tmp/l2.err" | head -n 2)"; else ok "l: no 23505"; fi
is "$(q "SELECT count(*) || ' ' || sum(records) || ' ' || count(DISTINCT first_record) FROM woo.load_checkpoints WHERE store_id = '$I'")" "6 60 6" \
   "l: 6 checkpoints of 10 records, none twice, none overlapping"
is "$(q "SELECT count(*) FROM public.orders WHERE store_id = '$I'") $(sf status) $(( $(num "$(sf inserted)") + $(num "$(sf unchanged)") ))" "60 completed 50" \
   "l: 60 orders; the resumed run sent only the 50 the killed one had not committed"
is "$(q "SELECT status || ' ' || records_synced FROM public.sync_logs WHERE store_id = '$I'")" "completed 60" \
   "l: one sync, completed, records_synced 60 (not more)"

done_testing
