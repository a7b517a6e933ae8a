-- Verify pg_woocommerce:extension_1_4 on pg
-- 1.4 or later (a later change, extension_1_5, moves the extension on).
SELECT 1 / count(*)::int FROM pg_extension WHERE extname = 'pg_woocommerce' AND string_to_array(extversion, '.')::int[] >= '{1,4}';
SELECT 1 / has_function_privilege('woo_app', 'woo.recompute_customer_metrics(uuid, uuid[])', 'EXECUTE')::int;
