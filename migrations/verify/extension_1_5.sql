-- Verify pg_woocommerce:extension_1_5 on pg
SELECT 1 / count(*)::int FROM pg_extension WHERE extname = 'pg_woocommerce' AND extversion = '1.5';
-- ==== issue 12: stores, API keys, saved charts, conversations, store lifecycle ====
SELECT 1 / has_function_privilege('woo_onboarding', 'woo.register_store(text, text, text, text, jsonb)', 'EXECUTE')::int;
SELECT 1 / has_function_privilege('woo_app', 'woo.verify_store_key(text, text)', 'EXECUTE')::int;
SELECT 1 / has_function_privilege('woo_app', 'woo.save_chart(uuid, text, text, jsonb, integer)', 'EXECUTE')::int;
SELECT 1 / has_function_privilege('woo_app', 'woo.append_message(uuid, text, text, jsonb)', 'EXECUTE')::int;
SELECT 1 / has_function_privilege('woo_owner', 'woo.purge_store(uuid)', 'EXECUTE')::int;
SELECT 1 / (NOT has_function_privilege('woo_app', 'woo.purge_store(uuid)', 'EXECUTE'))::int;
-- ==== end issue 12 ====
-- ==== issue 14: refunds as dated rows, canonical sales metrics, day-level rollups ====
SELECT 1 / count(*)::int FROM pg_trigger WHERE tgname LIKE 'analytics\_%' AND NOT tgisinternal HAVING count(*) = 10;
SELECT store_id, day, orders, net_sales, average_order_value FROM public.metrics_daily WHERE false;
SELECT 1 / has_table_privilege('woo_ai', 'public.metrics_daily', 'SELECT')::int;
SELECT 1 / has_function_privilege('woo_app', 'woo.upsert_refunds(uuid, integer, jsonb, boolean)', 'EXECUTE')::int;
SELECT 1 / (NOT has_function_privilege('woo_ai', 'woo.repair_analytics(uuid)', 'EXECUTE'))::int;
-- ==== end issue 14 ====
