-- Verify pg_woocommerce:extension_1_7 on pg
SELECT 1 / count(*)::int FROM pg_extension WHERE extname = 'pg_woocommerce' AND string_to_array(extversion, '.')::int[] >= '{1,7}';
-- ==== issue 14: the rollup's triggers in C ====
SELECT 1 / (count(*) = 9)::int FROM pg_trigger WHERE tgfoid = 'woo._sales_daily_trigger()'::regprocedure AND NOT tgisinternal;
SELECT 1 / has_function_privilege('woo_app', 'woo._sales_daily_flush()', 'EXECUTE')::int;
SELECT 1 / (NOT has_function_privilege('woo_ai', 'woo._sales_daily_flush()', 'EXECUTE'))::int;
-- ==== end issue 14 ====
