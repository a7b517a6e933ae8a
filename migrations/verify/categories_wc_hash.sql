-- Verify pg_woocommerce:categories_wc_hash on pg
SELECT 1 / count(*)::int FROM pg_indexes
 WHERE schemaname = 'public' AND indexname = 'categories_wc_category_id_hash' AND indexdef LIKE '% USING hash (wc_category_id)';
