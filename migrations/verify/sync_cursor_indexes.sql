-- Verify pg_woocommerce:sync_cursor_indexes on pg
SELECT 1 / count(*)::int FROM pg_indexes WHERE schemaname = 'public' AND indexname = 'idx_orders_store_modified'
   AND indexdef LIKE '%(store_id, date_modified)';
SELECT 1 / count(*)::int FROM pg_indexes WHERE schemaname = 'public' AND indexname = 'idx_products_store_updated'
   AND indexdef LIKE '%(store_id, updated_at)';
