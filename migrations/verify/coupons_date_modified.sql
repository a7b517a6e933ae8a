-- Verify pg_woocommerce:coupons_date_modified on pg
SELECT date_modified FROM public.coupons WHERE false;
SELECT 1 / count(*)::int FROM pg_indexes WHERE schemaname = 'public' AND indexname = 'idx_coupons_store_modified';
