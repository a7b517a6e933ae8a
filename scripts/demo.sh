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

say "Writing two sample WooCommerce stores as REST pages (demo/sample_stores.sql, seeded generator)"
SAMPLE="$WOO_CLUSTER_DIR/sample"
rm -rf "$SAMPLE"
sql -v export=1 -f "$ROOT/demo/sample_stores.sql" |
  awk -F'\t' -v out="$SAMPLE" '{ dir = out "/store_" $1 "/" $2; system("mkdir -p \"" dir "\"");
                                  f = sprintf("%s/page-%03d.json", dir, $3); print $4 > f; close(f) }'
(cd "$SAMPLE" && find . -name '*.json' | sort | sed 's|^\./|  |' | awk '{ print } END { print "  (" NR " files)" }')

say "Loading them with woo-load (libpq pipeline, one transaction per batch of 100, as a woo_app login)"
WOO_LOAD="$("$PG_CONFIG" --bindir)/woo-load"
sql -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS demo_loader" -c "CREATE ROLE demo_loader LOGIN IN ROLE woo_app"
LOADER_DB="host=$PGHOST port=$PGPORT dbname=woo_demo user=demo_loader"
for n in 1 2; do
  store=5a5a5a5a-0000-4000-8000-00000000000$n
  echo "\$ woo-load --db '$LOADER_DB' --store $store --jobs 2 $SAMPLE/store_$n"
  "$WOO_LOAD" --db "$LOADER_DB" --store "$store" --jobs 2 --progress none "$SAMPLE/store_$n"
done
echo "the same orders page again (a duplicated delivery): nothing is rewritten"
"$WOO_LOAD" --db "$LOADER_DB" --store 5a5a5a5a-0000-4000-8000-000000000001 --progress none "$SAMPLE/store_1/orders/page-001.json"
echo "two webhooks on store 1: a late refund on order 1001, and order 1002 deleted"
sql -v page="$(cat "$SAMPLE/store_1/orders/page-001.json")" <<'SQL'
BEGIN;
SET LOCAL ROLE woo_app;
SET LOCAL woo.store_id = '5a5a5a5a-0000-4000-8000-000000000001';
SELECT 'order.updated' AS topic, r.* FROM woo.apply_webhook('5a5a5a5a-0000-4000-8000-000000000001', 'order.updated',
         jsonb_set(jsonb_set((:'page'::jsonb)->0, '{refunds}', '[{"id": 9, "total": "-10.00"}]'),
                   '{date_modified_gmt}', '"2025-01-02T00:00:00"')) r
UNION ALL
SELECT 'order.deleted', r.* FROM woo.apply_webhook('5a5a5a5a-0000-4000-8000-000000000001', 'order.deleted', '{"id": 1002}') r;
COMMIT;
SQL
echo "what woo-load committed, per store and resource (woo.load_checkpoints), and the syncs it recorded (sync_logs):"
sql -c "SELECT s.store_url AS store, k.resource, count(*) AS batches, sum(k.records) AS records, sum(k.inserted) AS inserted,
               sum(k.updated) AS updated, sum(k.unchanged) AS unchanged, sum(k.rejected) AS rejected
          FROM woo.load_checkpoints k JOIN public.stores s ON s.id = k.store_id
         GROUP BY 1, 2 ORDER BY 1, min(k.committed_at)" \
    -c "SELECT s.store_url AS store, l.sync_type, l.status, l.records_synced, l.completed_at - l.started_at AS took
          FROM public.sync_logs l JOIN public.stores s ON s.id = l.store_id ORDER BY l.started_at"

say "Customer lifetime metrics (net of refunds; each store's excluded statuses), kept right by every upsert"
sql -c "SELECT s.store_url AS store, c.display_name, c.wc_customer_id, c.order_count, c.total_spent, c.last_order_date::date
          FROM public.customers c JOIN public.stores s ON s.id = c.store_id
         WHERE c.id IN (SELECT id FROM public.customers c2 WHERE c2.store_id = c.store_id ORDER BY total_spent DESC LIMIT 3)
         ORDER BY s.store_url, c.total_spent DESC" \
    -c "SELECT s.store_url AS store, (SELECT count(*) FROM woo.customer_metrics_drift(s.id)) AS drifting_values
          FROM public.stores s ORDER BY 1"

say "An AI question answered under RLS: woo.ai_query runs the model's SELECT as woo_ai, for the bound store only"
QUESTION="SELECT status, count(*) AS orders, sum(total) AS revenue FROM orders GROUP BY status ORDER BY revenue DESC"
echo "model-written SQL: $QUESTION"
for store in 5a5a5a5a-0000-4000-8000-000000000001 5a5a5a5a-0000-4000-8000-000000000002; do
  sql -c "BEGIN" -c "SET LOCAL ROLE woo_app" -c "SET LOCAL woo.store_id = '$store'" \
      -c "SELECT (SELECT store_url FROM public.stores WHERE id = woo.current_store()) AS bound_store, r AS row
            FROM woo.ai_query('$QUESTION') r" -c "COMMIT"
done

say "Adversarial SQL from the model is refused (each line is one attempt)"
attempt() {
  local out
  out=$(psql -X -q -d woo_demo -v ON_ERROR_STOP=1 -c "BEGIN" -c "SET LOCAL ROLE woo_app" \
          -c "SET LOCAL woo.store_id = '5a5a5a5a-0000-4000-8000-000000000001'" \
          -c "SELECT * FROM woo.ai_query(\$q\$$1\$q\$)" 2>&1 >/dev/null | grep ERROR | head -1 || true)
  printf '  %-72s -> %s\n' "$1" "${out:-(no error!)}"
}
attempt "DELETE FROM orders"
attempt "SELECT 1; DELETE FROM orders"
attempt "WITH x AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM x"
attempt "SELECT set_config('woo.store_id', '5a5a5a5a-0000-4000-8000-000000000002', false)"
attempt "SELECT email_hash FROM customers"
attempt "SELECT api_key_hash FROM stores"
attempt "SELECT pg_sleep(60)"
attempt "SELECT * FROM orders FOR UPDATE"

say "A direct AI login pinned to one store (woo.create_ai_login)"
sql -c "SET client_min_messages = warning" -c "DROP ROLE IF EXISTS demo_ai_trail" \
    -c "DO \$\$ BEGIN PERFORM woo.create_ai_login('5a5a5a5a-0000-4000-8000-000000000002', 'demo_ai_trail', 'demo-only-password'); END \$\$"
echo "created login demo_ai_trail, pinned to https://trail-gear.example:"
psql -X -q -d woo_demo -U demo_ai_trail \
     -c "SELECT current_user, woo.current_store() AS pinned_store, count(*) AS visible_orders,
                count(DISTINCT store_id) AS stores_seen FROM orders"
refusal=$(psql -X -q -d woo_demo -U demo_ai_trail -c "SET woo.store_id = '5a5a5a5a-0000-4000-8000-000000000001'" 2>&1 | grep ERROR || true)
echo "  the AI login tries SET woo.store_id -> ${refusal:-(no error!)}"
refusal=$(psql -X -q -d woo_demo -U demo_ai_trail -c "ALTER ROLE CURRENT_USER SET statement_timeout = 0" 2>&1 | grep ERROR || true)
echo "  the AI login tries ALTER ROLE <self> SET statement_timeout = 0 -> ${refusal:-(no error!)}"

say "Done"
cat <<MSG
The demo cluster keeps running: connect with
  psql -h '$PGHOST' -p $PGPORT -U postgres woo_demo
and stop it with: make demo-stop
MSG
