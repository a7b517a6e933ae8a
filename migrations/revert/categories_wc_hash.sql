-- Revert pg_woocommerce:categories_wc_hash from pg
BEGIN;
DROP INDEX public.categories_wc_category_id_hash;
COMMIT;
