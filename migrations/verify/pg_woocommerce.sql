-- Verify pg_woocommerce:pg_woocommerce on pg
SELECT 1 / count(*)::int FROM pg_extension WHERE extname = 'pg_woocommerce';
SELECT 'woo.hash_email(text)'::regprocedure, 'woo.normalize_email(text)'::regprocedure;
