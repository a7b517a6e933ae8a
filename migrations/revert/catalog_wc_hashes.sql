-- Revert pg_woocommerce:catalog_wc_hashes from pg
BEGIN;
DROP INDEX public.categories_wc_category_id_hash, public.coupons_wc_coupon_id_hash;
COMMIT;
