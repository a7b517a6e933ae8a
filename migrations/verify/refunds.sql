-- Verify pg_woocommerce:refunds on pg
SELECT id, store_id, order_id, wc_refund_id, amount, reason, date_created, date_exact FROM public.refunds WHERE false;
SELECT 1 / (relrowsecurity AND relforcerowsecurity)::int FROM pg_class WHERE oid = 'public.refunds'::regclass;
SELECT 1 / has_table_privilege('woo_ai', 'public.refunds', 'SELECT')::int;
SELECT 1 / (NOT has_table_privilege('woo_ai', 'public.refunds', 'INSERT'))::int;
