-- Verify pg_woocommerce:privileges on pg
SELECT 1 / (count(*) = 10)::int FROM pg_tables
 WHERE schemaname = 'public' AND tableowner = 'woo_owner'
   AND tablename IN ('stores', 'categories', 'products', 'customers', 'orders', 'order_items',
                     'coupons', 'saved_charts', 'conversations', 'sync_logs');
SELECT 1 / has_table_privilege('woo_app', 'public.orders', 'INSERT')::int;
SELECT 1 / has_table_privilege('woo_ai', 'public.orders', 'SELECT')::int;
SELECT 1 / (NOT has_table_privilege('woo_ai', 'public.orders', 'INSERT, UPDATE, DELETE'))::int;
SELECT 1 / (NOT has_column_privilege('woo_ai', 'public.customers', 'email_hash', 'SELECT'))::int;
SELECT 1 / (NOT has_column_privilege('woo_ai', 'public.stores', 'api_key_hash', 'SELECT'))::int;
SELECT 1 / has_parameter_privilege('woo_app', 'woo.store_id', 'SET')::int;
SELECT 1 / has_function_privilege('woo_ai', 'woo.current_store()', 'EXECUTE')::int;
