-- Verify pg_woocommerce:catalog_wc_hashes on pg
SELECT 1 / (count(*) = 2)::int FROM pg_indexes
 WHERE schemaname = 'public' AND indexdef LIKE '% USING hash %'
   AND indexname IN ('categories_wc_category_id_hash', 'coupons_wc_coupon_id_hash');
