-- Verify pg_woocommerce:rls on pg
-- Every table of the schema has RLS enabled and forced; the ten seed tables have four policies each.
SELECT 1 / (count(*) = 0)::int FROM pg_class
 WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')
   AND NOT (relrowsecurity AND relforcerowsecurity);
SELECT 1 / (count(*) = 40)::int FROM pg_policies WHERE schemaname = 'public'
   AND tablename IN ('stores', 'categories', 'products', 'customers', 'orders', 'order_items',
                     'coupons', 'saved_charts', 'conversations', 'sync_logs');
