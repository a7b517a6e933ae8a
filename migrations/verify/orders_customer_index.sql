-- Verify pg_woocommerce:orders_customer_index on pg
SELECT 1 / count(*)::int FROM pg_indexes WHERE schemaname = 'public' AND indexname = 'idx_orders_store_customer';
