-- Verify pg_woocommerce:ai_comments on pg
SELECT 1 / (count(*) = 0)::int FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = 'public'::regnamespace AND c.relname IN ('stores', 'orders', 'order_items', 'products', 'customers',
       'categories', 'coupons', 'saved_charts', 'conversations', 'sync_logs')
   AND a.attnum > 0 AND NOT a.attisdropped AND has_column_privilege('woo_ai', c.oid, a.attnum, 'SELECT')
   AND col_description(c.oid, a.attnum) IS NULL;
