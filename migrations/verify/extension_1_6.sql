-- Verify pg_woocommerce:extension_1_6 on pg
SELECT 1 / count(*)::int FROM pg_extension WHERE extname = 'pg_woocommerce' AND string_to_array(extversion, '.')::int[] >= '{1,6}';
-- ==== issue 14: dated refunds, canonical sales metrics, day-level rollup, AI context ====
SELECT 1 / (count(*) = 10)::int FROM pg_trigger WHERE tgname LIKE 'sales\_daily\_%' AND NOT tgisinternal;
SELECT store_id, day, orders, net_sales, average_order_value, new_customers, returning_customers FROM public.metrics_daily WHERE false;
SELECT store_id, day, product_id, units, net_revenue, orders FROM public.metrics_product_daily WHERE false;
SELECT store_id, day, coupon_code, orders, discount FROM public.metrics_coupon_daily WHERE false;
SELECT store_id, customer_id, segment FROM public.customer_segments WHERE false;
SELECT 1 / has_table_privilege('woo_ai', 'public.metrics_daily', 'SELECT')::int;
SELECT 1 / has_function_privilege('woo_app', 'woo.upsert_refunds(uuid, integer, jsonb, boolean)', 'EXECUTE')::int;
SELECT 1 / has_function_privilege('woo_app', 'woo.ai_context()', 'EXECUTE')::int;
SELECT 1 / (NOT has_function_privilege('woo_ai', 'woo.repair_analytics(uuid)', 'EXECUTE'))::int;
SELECT 1 / (NOT has_function_privilege('woo_app', 'woo._sales_daily_stores()', 'EXECUTE'))::int;
-- ==== end issue 14 ====
