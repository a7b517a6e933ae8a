#!/usr/bin/env bash
# make demo: a private cluster with every migration deployed, showing the
# extension at work. Idempotent: each run starts the demo cluster afresh.
# The extension must be built and installed first (the Makefile does that).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
sql() { psql -X -q -v ON_ERROR_STOP=1 -d woo_demo "$@"; }

say "Starting a private PostgreSQL (demo cluster)"
use_cluster demo
fresh_db woo_demo

say "Deploying the sqitch migrations (migrations/sqitch.plan)"
sq deploy --verify "$(sqitch_target woo_demo)"
sq status "$(sqitch_target woo_demo)" | tail -n 3

say "Extension and schema"
sql -c "SELECT extname, extversion FROM pg_extension WHERE extname = 'pg_woocommerce'" \
    -c "\dt public.*"

say "woo.hash_email: emails are stored only as SHA-256 hashes"
sql -c "SELECT e AS email, woo.normalize_email(e) AS normal_form, woo.hash_email(e) AS email_hash
          FROM (VALUES ('  Jane.Doe@Example.COM '), ('jane.doe@example.com'), ('   ')) v(e)" \
    -c "SELECT e AS email, woo.normalize_email(e, true) AS gmail_canonical, left(woo.hash_email(e, true), 16) || '…' AS hash_prefix
          FROM (VALUES ('John.Smith+News@Gmail.com'), ('johnsmith@googlemail.com')) v(e)"

say "Registering two stores with woo.register_store (as a woo_onboarding login: the one write with no store bound)"
sql -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS demo_onboarding" -c "CREATE ROLE demo_onboarding LOGIN IN ROLE woo_onboarding"
KEY1=demo-coffee-corner-key-0123456789abcdef   # the API keys the stores' plugins hold (demo only)
KEY2=demo-trail-gear-key-0123456789abcdef0123
psql -X -q -v ON_ERROR_STOP=1 -d woo_demo -U demo_onboarding -v k1="$KEY1" -v k2="$KEY2" <<'SQL'
SELECT woo.register_store('HTTPS://Coffee-Corner.example/', :'k1', '9.1.0', 'pro', '{"timezone": "Europe/Paris"}') AS coffee_corner_id;
SELECT woo.register_store('https://trail-gear.example', :'k2', '8.9.1', 'starter',
         '{"timezone": "America/Denver", "excluded_statuses": ["pending", "failed", "cancelled", "trash", "checkout-draft", "on-hold"]}') AS trail_gear_id;
SQL
store_id() { psql -X -qAt -d woo_demo -c "SELECT id FROM public.stores WHERE store_url = woo.normalize_store_url('$1')"; }
STORE1=$(store_id https://coffee-corner.example) STORE2=$(store_id https://trail-gear.example)
sql -c "SELECT store_url, left(api_key_hash, 29) || '…' AS api_key_hash, plan, settings FROM public.stores ORDER BY store_url"
echo "the same site spelled differently is the same store:"
out=$(psql -X -q -d woo_demo -U demo_onboarding -c "SELECT woo.register_store('https://coffee-corner.example:443', '$KEY1')" 2>&1 | grep ERROR || true)
echo "  register_store('https://coffee-corner.example:443', …) -> ${out:-(no error!)}"

say "Verifying a store's API key (woo.verify_store_key: bcrypt, cost 12; verify once per session, not per webhook)"
sql -v k1="$KEY1" <<'SQL'
SET ROLE woo_app;
\timing on
SELECT woo.verify_store_key('https://coffee-corner.example', :'k1') AS right_key;
\timing off
SELECT woo.verify_store_key('https://coffee-corner.example', 'a-wrong-key-of-the-right-length-0123') AS wrong_key,
       woo.verify_store_key('https://unknown-store.example', :'k1') AS unknown_store;
SQL

say "Writing the two stores' sample data as WooCommerce REST pages (demo/sample_stores.sql, seeded generator)"
SAMPLE="$WOO_CLUSTER_DIR/sample"
rm -rf "$SAMPLE"
sql -v export=1 -v registered=1 -f "$ROOT/demo/sample_stores.sql" |
  awk -F'\t' -v out="$SAMPLE" '{ dir = out "/store_" $1 "/" $2; system("mkdir -p \"" dir "\"");
                                  f = sprintf("%s/page-%03d.json", dir, $3); print $4 > f; close(f) }'
(cd "$SAMPLE" && find . -name '*.json' | sort | sed 's|^\./|  |' | awk '{ print } END { print "  (" NR " files)" }')

say "Loading them with woo-load (libpq pipeline, one transaction per batch of 100, as a woo_app login)"
WOO_LOAD="$("$PG_CONFIG" --bindir)/woo-load"
sql -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS demo_loader" -c "CREATE ROLE demo_loader LOGIN IN ROLE woo_app"
LOADER_DB="host=$PGHOST port=$PGPORT dbname=woo_demo user=demo_loader"
for n in 1 2; do
  store=$([ $n = 1 ] && echo "$STORE1" || echo "$STORE2")
  echo "\$ woo-load --db '$LOADER_DB' --store $store --jobs 2 $SAMPLE/store_$n"
  "$WOO_LOAD" --db "$LOADER_DB" --store "$store" --jobs 2 --progress none "$SAMPLE/store_$n"
done
echo "the same orders page again (a duplicated delivery): nothing is rewritten"
"$WOO_LOAD" --db "$LOADER_DB" --store "$STORE1" --progress none "$SAMPLE/store_1/orders/page-001.json"
echo "two webhooks on store 1: a late refund on order 1001, and order 1002 deleted"
sql -v page="$(cat "$SAMPLE/store_1/orders/page-001.json")" -v store="$STORE1" <<'SQL'
BEGIN;
SET LOCAL ROLE woo_app;
SELECT woo.set_store(:'store') \gset
SELECT 'order.updated' AS topic, r.* FROM woo.apply_webhook(:'store', 'order.updated',
         jsonb_set(jsonb_set((:'page'::jsonb)->0, '{refunds}', '[{"id": 9, "total": "-10.00"}]'),
                   '{date_modified_gmt}', '"2025-01-02T00:00:00"')) r
UNION ALL
SELECT 'order.deleted', r.* FROM woo.apply_webhook(:'store', 'order.deleted', '{"id": 1002}') r;
COMMIT;
SQL
echo "what woo-load committed, per store and resource (woo.load_checkpoints), and the syncs it recorded (sync_logs):"
sql -c "SELECT s.store_url AS store, k.resource, count(*) AS batches, sum(k.records) AS records, sum(k.inserted) AS inserted,
               sum(k.updated) AS updated, sum(k.unchanged) AS unchanged, sum(k.rejected) AS rejected
          FROM woo.load_checkpoints k JOIN public.stores s ON s.id = k.store_id
         GROUP BY 1, 2 ORDER BY 1, min(k.committed_at)" \
    -c "SELECT s.store_url AS store, l.sync_type, l.status, l.records_synced, l.completed_at - l.started_at AS took
          FROM public.sync_logs l JOIN public.stores s ON s.id = l.store_id ORDER BY l.started_at" \
    -c "SELECT store_url AS store, last_sync_at IS NOT NULL AS last_sync_at_set_by_sync_finish FROM public.stores ORDER BY 1"
echo "where the next incremental sync starts (woo.sync_cursor: newest date_modified minus a 5-minute overlap):"
sql -c "SET ROLE woo_app" -c "BEGIN" -c "SELECT FROM woo.set_store('$STORE1')" \
    -c "SELECT woo.sync_cursor('$STORE1', 'orders') AS orders_modified_after, woo.sync_cursor('$STORE1', 'products') AS products_modified_after,
               woo.sync_cursor('$STORE1', 'coupons') AS coupons_modified_after" -c "COMMIT"

say "Customer lifetime metrics (net of refunds; each store's excluded statuses), kept right by every upsert"
sql -c "SELECT s.store_url AS store, c.display_name, c.wc_customer_id, c.order_count, c.total_spent, c.last_order_date::date
          FROM public.customers c JOIN public.stores s ON s.id = c.store_id
         WHERE c.id IN (SELECT id FROM public.customers c2 WHERE c2.store_id = c.store_id ORDER BY total_spent DESC LIMIT 3)
         ORDER BY s.store_url, c.total_spent DESC" \
    -c "SELECT s.store_url AS store, (SELECT count(*) FROM woo.customer_metrics_drift(s.id)) AS drifting_values
          FROM public.stores s ORDER BY 1"

say "The context the model gets: woo.ai_context(), generated from the catalog for the bound store (its first lines)"
sql -At -c "BEGIN" -c "SET LOCAL ROLE woo_app" -c "SET LOCAL woo.store_id = '$STORE1'" \
    -c "SELECT octet_length(woo.ai_context()) || ' bytes in all (at most 16 KB); the first lines:'" -c "SELECT woo.ai_context()" -c "COMMIT" |
  sed -n 1,24p

say "An AI question answered under RLS through the canonical daily view: woo.ai_query runs the model's SELECT as woo_ai, for the bound store only"
QUESTION="SELECT date_trunc('month', day)::date AS month, sum(orders) AS orders, sum(net_sales) AS net_sales, sum(refunds) AS refunds, sum(new_customers) AS new_customers FROM metrics_daily GROUP BY 1 ORDER BY 1 DESC LIMIT 3"
echo "model-written SQL: $QUESTION"
for store in "$STORE1" "$STORE2"; do
  sql -c "BEGIN" -c "SET LOCAL ROLE woo_app" -c "SET LOCAL woo.store_id = '$store'" \
      -c "SELECT (SELECT store_url FROM public.stores WHERE id = woo.current_store()) AS bound_store, r AS row
            FROM woo.ai_query(\$q\$$QUESTION\$q\$) r" \
      -c "SELECT count(*) AS rollup_values_drifting FROM woo.analytics_drift('$store')" -c "COMMIT"
done

say "Adversarial SQL from the model is refused (each line is one attempt)"
attempt() {
  local out
  out=$(psql -X -q -d woo_demo -v ON_ERROR_STOP=1 -c "BEGIN" -c "SET LOCAL ROLE woo_app" \
          -c "SET LOCAL woo.store_id = '$STORE1'" \
          -c "SELECT * FROM woo.ai_query(\$q\$$1\$q\$)" 2>&1 >/dev/null | grep ERROR | head -1 || true)
  printf '  %-72s -> %s\n' "$1" "${out:-(no error!)}"
}
attempt "DELETE FROM orders"
attempt "SELECT 1; DELETE FROM orders"
attempt "WITH x AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM x"
attempt "SELECT set_config('woo.store_id', '$STORE2', false)"
attempt "SELECT email_hash FROM customers"
attempt "SELECT api_key_hash FROM stores"
attempt "SELECT pg_sleep(60)"
attempt "SELECT * FROM orders FOR UPDATE"

say "A direct AI login pinned to one store (woo.create_ai_login)"
sql -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS demo_ai_trail" \
    -c "DO \$\$ BEGIN PERFORM woo.create_ai_login('$STORE2', 'demo_ai_trail', 'demo-only-password'); END \$\$"
echo "created login demo_ai_trail, pinned to https://trail-gear.example:"
psql -X -q -d woo_demo -U demo_ai_trail \
     -c "SELECT current_user, woo.current_store() AS pinned_store, count(*) AS visible_orders,
                count(DISTINCT store_id) AS stores_seen FROM orders"
refusal=$(psql -X -q -d woo_demo -U demo_ai_trail -c "SET woo.store_id = '$STORE1'" 2>&1 | grep ERROR || true)
echo "  the AI login tries SET woo.store_id -> ${refusal:-(no error!)}"
refusal=$(psql -X -q -d woo_demo -U demo_ai_trail -c "ALTER ROLE CURRENT_USER SET statement_timeout = 0" 2>&1 | grep ERROR || true)
echo "  the AI login tries ALTER ROLE <self> SET statement_timeout = 0 -> ${refusal:-(no error!)}"

say "Saved charts: the model's SQL passes woo.ai_query's gate when it is saved, and runs through woo.ai_query"
sql -v store="$STORE1" <<'SQL'
BEGIN;
SET LOCAL ROLE woo_app;
SELECT woo.set_store(:'store') \gset
SELECT woo.save_chart(:'store', 'Revenue by status', 'SELECT status, sum(total) AS revenue FROM orders GROUP BY status ORDER BY 2 DESC',
                      '{"type": "bar", "x": "status", "y": "revenue", "y_label": "EUR"}') AS revenue_chart \gset
SELECT woo.save_chart(:'store', 'Orders per month', 'SELECT date_trunc(''month'', date_created)::date AS month, count(*) AS orders FROM orders GROUP BY 1 ORDER BY 1',
                      '{"type": "line", "x": "month", "y": ["orders"]}', 0) AS monthly_chart \gset
SELECT position_index, title, chart_config FROM saved_charts ORDER BY position_index;
SELECT r AS "run_chart(revenue_chart)" FROM woo.run_chart(:'revenue_chart') r;
SAVEPOINT refused;
\set ON_ERROR_STOP off
\echo saving a chart whose query writes is refused, with the very error woo.ai_query gives:
SELECT woo.save_chart(:'store', 'Oops', 'WITH x AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM x', '{"type": "number"}');
ROLLBACK TO refused;
\echo and so is a chart_config that carries code:
SELECT woo.save_chart(:'store', 'Oops', 'SELECT 1', '{"type": "bar", "formatter": "function (v) { return v }"}');
ROLLBACK TO refused;
\set ON_ERROR_STOP on
COMMIT;
SQL

say "A conversation: messages kept in order, e-mail addresses stored as sha256:<hash>"
sql -v store="$STORE1" <<'SQL'
BEGIN;
SET LOCAL ROLE woo_app;
SELECT woo.set_store(:'store') \gset
SELECT woo.start_conversation(:'store') AS conversation \gset
SELECT woo.append_message(:'conversation', 'user', 'What did customer Jane.Doe@Example.com order last month?') AS messages;
SELECT woo.append_message(:'conversation', 'assistant', 'I found no order from that address last month.',
                          '{"sql": "SELECT count(*) FROM orders", "rows": 1}') AS messages;
SELECT m->>'role' AS role, m->>'content' AS content, m->>'at' AS at FROM conversations, jsonb_array_elements(messages) m
 WHERE id = :'conversation';
COMMIT;
SQL

say "GDPR erasure: woo.forget_customer (the customer keeps its orders, loses its e-mail hash and name)"
sql -v store="$STORE1" -v page="$(cat "$SAMPLE/store_1/orders/page-001.json")" <<'SQL'
BEGIN;
SET LOCAL ROLE woo_app;
SELECT woo.set_store(:'store') \gset
-- a registered customer of the first orders page: its billing address is what the shopper asks to erase
SELECT o->'billing'->>'email' AS email FROM jsonb_array_elements(:'page'::jsonb) o
 WHERE (o->>'customer_id')::int > 0 ORDER BY (o->>'customer_id')::int LIMIT 1 \gset
\echo erasing :email
SELECT customers_erased, rejects_deleted, customer_ids[1] AS erased FROM woo.forget_customer(:'store', :'email') \gset
SELECT :customers_erased AS customers_erased, :rejects_deleted AS rejects_deleted;
SELECT wc_customer_id, email_hash, display_name, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) AS orders_kept
  FROM customers c WHERE id = :'erased';
COMMIT;
SQL

say "A store's lifecycle: a throwaway third store is registered, deactivated, then purged"
KEY3=demo-throwaway-key-0123456789abcdef01234
STORE3=$(psql -X -qAt -v ON_ERROR_STOP=1 -d woo_demo -U demo_onboarding -c "SELECT woo.register_store('https://throwaway.example', '$KEY3')")
echo "registered https://throwaway.example as $STORE3"
sql -v store="$STORE3" <<'SQL'
BEGIN;
SET LOCAL ROLE woo_app;
SELECT woo.set_store(:'store') \gset
SELECT * FROM woo.upsert_orders(:'store', '[{"id": 1, "status": "completed", "total": "12.00", "customer_id": 0, "date_created_gmt": "2025-01-01T00:00:00",
                                             "billing": {"email": "someone@example.net"}, "line_items": [{"id": 1, "name": "Mug", "product_id": 5, "quantity": 1, "total": "12.00"}]}]');
SELECT woo.save_chart(:'store', 'Orders', 'SELECT count(*) FROM orders', '{"type": "number"}') IS NOT NULL AS chart_saved;
SELECT woo.deactivate_store(:'store');
COMMIT;
SQL
out=$(psql -X -q -d woo_demo -c "BEGIN" -c "SET LOCAL ROLE woo_app" -c "SELECT FROM woo.set_store('$STORE3')" \
        -c "SELECT woo.upsert_coupons('$STORE3', '{\"id\": 1, \"code\": \"x\"}')" 2>&1 | grep ERROR || true)
echo "  ingestion after woo.deactivate_store -> ${out:-(no error!)}"
sql -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS demo_ai_throwaway" \
    -c "DO \$\$ BEGIN PERFORM woo.create_ai_login('$STORE3', 'demo_ai_throwaway', 'demo-only-password'); END \$\$"
echo "woo.purge_store, as woo_owner: every row of the store, and the AI login pinned to it, in one transaction"
sql -c "SET ROLE woo_owner" -c "SELECT * FROM woo.purge_store('$STORE3') WHERE rows_deleted > 0"
sql -c "SELECT (SELECT count(*) FROM public.stores) AS stores_left,
               (SELECT count(*) FROM pg_roles WHERE rolname = 'demo_ai_throwaway') AS throwaway_ai_logins_left"

say "Done"
cat <<MSG
The demo cluster keeps running: connect with
  psql -h '$PGHOST' -p $PGPORT -U postgres woo_demo
and stop it with: make demo-stop
MSG
