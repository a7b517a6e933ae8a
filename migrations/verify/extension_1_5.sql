-- Verify pg_woocommerce:extension_1_5 on pg
SELECT 1 / count(*)::int FROM pg_extension WHERE extname = 'pg_woocommerce' AND string_to_array(extversion, '.')::int[] >= '{1,5}';
-- ==== issue 12: stores, API keys, saved charts, conversations, store lifecycle ====
SELECT 1 / has_function_privilege('woo_onboarding', 'woo.register_store(text, text, text, text, jsonb)', 'EXECUTE')::int;
SELECT 1 / has_function_privilege('woo_app', 'woo.verify_store_key(text, text)', 'EXECUTE')::int;
SELECT 1 / has_function_privilege('woo_app', 'woo.save_chart(uuid, text, text, jsonb, integer)', 'EXECUTE')::int;
SELECT 1 / has_function_privilege('woo_app', 'woo.append_message(uuid, text, text, jsonb)', 'EXECUTE')::int;
SELECT 1 / has_function_privilege('woo_owner', 'woo.purge_store(uuid)', 'EXECUTE')::int;
SELECT 1 / (NOT has_function_privilege('woo_app', 'woo.purge_store(uuid)', 'EXECUTE'))::int;
-- ==== end issue 12 ====
-- ==== issue 9: woo.ai_query budgets ====
SELECT 1 / has_function_privilege('woo_ai', 'woo._checkpoint(anyelement)', 'EXECUTE')::int;
SELECT 1 / (NOT has_function_privilege('public', 'woo._checkpoint(anyelement)', 'EXECUTE'))::int;
-- ==== end issue 9 ====
-- ==== issue 10: total_spent saturates instead of overflowing ====
SELECT 1 / (pg_get_functiondef('woo.expected_customer_metrics(uuid, uuid[])'::regprocedure) LIKE '%9999999999.99%')::int;
-- ==== end issue 10 ====
-- ==== issue 13: what the 1.5 C code writes outside the extension ====
-- woo.upsert_* write these columns and tables (declared as [requires] in sqitch.plan):
-- payload_hash (migration payload_hash), refunded_total (order_refunds), guest customers'
-- NULL wc_customer_id with their unique e-mail hash (guest_customers), rejects, checkpoints.
SELECT o.payload_hash, p.payload_hash, c.payload_hash, k.payload_hash, q.payload_hash
  FROM public.orders o, public.products p, public.customers c, public.categories k, public.coupons q WHERE false;
SELECT refunded_total FROM public.orders WHERE false;
SELECT 1 / (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname = 'customers_store_guest_email_key')::int;
SELECT 1 / ((SELECT attnotnull FROM pg_attribute WHERE attrelid = 'public.customers'::regclass AND attname = 'wc_customer_id') IS FALSE)::int;
SELECT store_id, resource, wc_id, payload, error, sqlstate FROM woo.ingest_rejects WHERE false;
SELECT store_id, resource, inserted, updated, unchanged, skipped_stale, rejected FROM woo.load_checkpoints WHERE false;
-- ==== end issue 13 ====
