-- Verify pg_woocommerce:extension_1_5 on pg
SELECT 1 / count(*)::int FROM pg_extension WHERE extname = 'pg_woocommerce' AND string_to_array(extversion, '.')::int[] >= '{1,5}';
-- issue 10: total_spent saturates instead of overflowing
SELECT 1 / (pg_get_functiondef('woo.expected_customer_metrics(uuid, uuid[])'::regprocedure) LIKE '%9999999999.99%')::int;
