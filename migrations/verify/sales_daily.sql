-- Verify pg_woocommerce:sales_daily on pg
SELECT store_id, day, slot, orders, items_sold, gross_sales, discounts, refunds, taxes, shipping FROM public.sales_daily WHERE false;
SELECT 1 / (relrowsecurity AND relforcerowsecurity)::int FROM pg_class WHERE oid = 'public.sales_daily'::regclass;
SELECT 1 / has_table_privilege('woo_ai', 'public.sales_daily', 'SELECT')::int;
SELECT 1 / (NOT has_table_privilege('woo_app', 'public.sales_daily', 'INSERT'))::int;
